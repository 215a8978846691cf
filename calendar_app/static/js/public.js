// Small helpers for the citizens' pages (the CSP allows no inline script): copy a link, print, focus the
// summary of a form's errors. Every page works without them.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var status = button.parentElement.querySelector(".copy-status");
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
          if (status) { status.textContent = status.getAttribute("data-copied"); }
        });
      });
    });
    document.querySelectorAll("[data-select-all]").forEach(function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var summary = document.querySelector(".error-summary[tabindex]");
    if (summary) { summary.focus(); }
  });
}());
