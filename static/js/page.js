/* Progressive enhancements for form pages; every page works without them. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // Move focus to the error summary so screen-reader users hear what went wrong
    // (WCAG 3.3.1); its links move focus to each field.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    // Warn before a long answer goes over its limit, without truncating it.
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-max-length]"), function (area) {
      var limit = parseInt(area.getAttribute("data-max-length"), 10);
      var note = area.parentNode.querySelector(".char-limit");
      if (!note || !limit) { return; }
      var template = note.textContent;
      note.setAttribute("aria-live", "polite");
      function update() {
        var left = limit - area.value.length;
        note.classList.toggle("char-limit--over", left < 0);
        note.textContent = template + " (" + left + ")";
      }
      area.addEventListener("input", update);
      update();
    });
  });
})();
