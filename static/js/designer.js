/* The form editor's live check: as the official types, the text is checked on the server
   (POST .../check) and the problems are listed with their line and column; a problem's
   link moves the caret to its place. Without JavaScript, saving lists the same problems. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function offsetOf(text, line, column) {
    var lines = text.split("\n");
    var offset = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) { offset += lines[i].length + 1; }
    return Math.min(offset + column - 1, text.length);
  }
  function moveTo(area, line, column) {
    var at = offsetOf(area.value, line, column);
    area.focus();
    area.setSelectionRange(at, at);
    var height = area.scrollHeight / Math.max(1, area.value.split("\n").length);
    area.scrollTop = Math.max(0, (line - 3) * height);
  }
  ready(function () {
    var area = document.querySelector("textarea[data-check]");
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-line]");
      var target = document.getElementById("source");
      if (!link || !target) { return; }
      event.preventDefault();
      moveTo(target, parseInt(link.getAttribute("data-line"), 10), parseInt(link.getAttribute("data-column"), 10));
    });
    if (!area) { return; }
    var form = area.form;
    var status = document.getElementById("live-check");
    var list = document.getElementById("live-problems");
    var timer = null;
    var sent = 0;
    function show(problems) {
      list.textContent = "";
      problems.forEach(function (p) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#source";
        link.setAttribute("data-line", p.line);
        link.setAttribute("data-column", p.column);
        link.textContent = status.getAttribute("data-place").replace("%(line)d", p.line).replace("%(column)d", p.column);
        if (p.severity === "warning") { item.appendChild(document.createTextNode(status.getAttribute("data-warning") + " ")); }
        item.appendChild(link);
        item.appendChild(document.createTextNode(": " + p.message));
        list.appendChild(item);
      });
      status.textContent = problems.length ?
        status.getAttribute("data-some").replace("%(num)d", problems.length) : status.getAttribute("data-none");
    }
    function check() {
      var body = new FormData();
      body.append("source", area.value);
      body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      var mine = ++sent;
      fetch(area.getAttribute("data-check"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer && mine === sent) { show(answer.problems); } })
        .catch(function () { /* offline: saving still checks */ });
    }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 700);
    });
  });
}());
