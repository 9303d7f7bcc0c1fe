/* The question builder's condition pickers: the answer list shows only the choices of the
   question picked, and picking an answer picks its question. Without JavaScript every
   choice is listed, grouped by question, and the server checks that they agree. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var question = document.getElementById("b-show-question");
    var choice = document.getElementById("b-show-choice");
    if (!question || !choice) { return; }
    function narrow() {
      Array.prototype.forEach.call(choice.querySelectorAll("optgroup"), function (group) {
        var shown = !question.value || group.getAttribute("data-question") === question.value;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      var picked = choice.options[choice.selectedIndex];
      if (picked && picked.parentNode.disabled) { choice.value = ""; }
    }
    question.addEventListener("change", narrow);
    choice.addEventListener("change", function () {
      var picked = choice.options[choice.selectedIndex];
      var group = picked && picked.parentNode.getAttribute("data-question");
      if (group && question.value !== group) { question.value = group; narrow(); }
    });
    narrow();
  });
})();
