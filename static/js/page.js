/* Progressive enhancements for form pages; every page works without them. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // A table wider than the screen says that it scrolls sideways (officials' pages).
    var scrollHint = document.body.getAttribute("data-scroll-hint");
    function hintScrolling(within) {
      Array.prototype.forEach.call(within.querySelectorAll(".table-wrap"), function (wrap) {
        var before = wrap.previousElementSibling;
        if (before && before.classList.contains("scroll-hint")) { return; }
        if (wrap.scrollWidth <= wrap.clientWidth + 1) { return; }
        var note = document.createElement("p");
        note.className = "hint scroll-hint";
        note.textContent = scrollHint;
        wrap.parentNode.insertBefore(note, wrap);
      });
    }
    if (scrollHint) {
      hintScrolling(document);
      // A table folded in <details> has no width until it is opened.
      document.addEventListener("toggle", function (event) {
        if (event.target.open) { hintScrolling(event.target); }
      }, true);
    }
    // Move focus to the error summary so screen-reader users hear what went wrong
    // (WCAG 3.3.1); its links move focus to each field.
    var summary = document.querySelector("[data-error-summary], [data-focus]");
    if (summary) { summary.focus(); }
    // Say how many characters are left (GOV.UK character count): counted as the server
    // counts them (code points, a line break as one), never truncating what was typed.
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-max-length]"), function (area) {
      var limit = parseInt(area.getAttribute("data-max-length"), 10);
      var note = document.getElementById(area.id + "-limit");
      if (!note || !limit) { return; }
      var status = document.createElement("p");
      status.className = "hint char-count";
      status.setAttribute("aria-live", "polite");
      note.parentNode.insertBefore(status, note.nextSibling);
      var timer = null;
      function update(announce) {
        var used = Array.from(area.value.replace(/\r\n/g, "\n")).length;
        var left = limit - used;
        var template = note.getAttribute(left < 0 ? "data-over" : "data-remaining");
        var text = template.replace("%(n)s", String(Math.abs(left)));
        status.classList.toggle("char-limit--over", left < 0);
        // Update the live region only after typing pauses, so screen readers are not
        // interrupted at every keystroke.
        clearTimeout(timer);
        if (announce) { timer = setTimeout(function () { status.textContent = text; }, 1000); }
        else { status.textContent = text; }
      }
      area.addEventListener("input", function () { update(true); });
      update(false);
    });
  });
})();
