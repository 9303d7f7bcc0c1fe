/* The form editor's live check: as the official types, the text is checked on the server
   (POST .../check) and the problems are listed with their line and column, and marked
   beside their lines; a problem's link moves the caret to its place. The line numbers and
   the text area grow with the text. Without JavaScript, saving lists the same problems. */
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
    var gutter = document.querySelector("[data-gutter]");
    var mark = gutter && gutter.children[line - 1];
    if (mark) { mark.scrollIntoView({ block: "center" }); }
  }
  // Line numbers: one per line of the text, those with a problem marked.
  function number(area, problemLines) {
    var gutter = document.querySelector("[data-gutter]");
    if (!gutter) { return; }
    var count = area.value.split("\n").length;
    if (problemLines === undefined) {
      if (gutter.children.length === count) { return; }  // the same lines: nothing to redo
      problemLines = {};
      Array.prototype.forEach.call(gutter.querySelectorAll(".has-problem"), function (mark) {
        problemLines[mark.textContent] = true;
      });
    }
    var fragment = document.createDocumentFragment();
    for (var n = 1; n <= count; n++) {
      var mark = document.createElement("span");
      mark.textContent = String(n);
      if (problemLines[n]) { mark.className = "has-problem"; }
      fragment.appendChild(mark);
      fragment.appendChild(document.createTextNode("\n"));
    }
    gutter.textContent = "";
    gutter.appendChild(fragment);
    area.rows = Math.max(count + 1, 12);
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
      var lines = {};
      problems.forEach(function (p) { lines[p.line] = true; });
      number(area, lines);
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
      status.textContent = problems.length === 1 ? status.getAttribute("data-one") : problems.length ?
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
      number(area);
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 700);
    });
  });
}());
