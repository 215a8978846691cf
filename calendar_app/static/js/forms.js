/* Error summaries (events/macros.html error_summary): the summary takes focus when the page opens, so a
   screen reader reads what to correct first; each link moves focus to its field, not just the view. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var holder = target.closest(".field, fieldset") || target;
      holder.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
  });
})();
