/* "Copy link" beside an address in a read-only field: copies the current page's address.
   Without JavaScript the button stays hidden and the field holds the address, to select
   and copy by hand. The outcome is said in the field's status line (a live region). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      var status = document.getElementById(field.id + "-status");
      // The address as the browser has it (behind a proxy the server may not know it).
      field.value = window.location.href;
      function say(text) { if (status) { status.textContent = text; } }
      function byHand() {
        field.focus();
        field.select();
        var done = false;
        try { done = document.execCommand("copy"); } catch (e) { done = false; }
        say(button.getAttribute(done ? "data-copied" : "data-failed"));
      }
      button.addEventListener("click", function () {
        say("");
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () {
            say(button.getAttribute("data-copied"));
          }, byHand);
        } else {
          byHand();
        }
      });
      button.hidden = false;
    });
  });
})();
