// Small helpers for the citizens' pages (the CSP allows no inline script): copy a link, print, focus the
// summary of a form's errors. Every page works without them.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // the institution filter: suggestions from /institutions.json (accents optional); the server also reads a
    // typed name, so the field works without this
    document.querySelectorAll("input[data-suggest-institutions]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("list"));
      var timer = null;
      var asked = "";
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var q = input.value.trim();
          if (q.length < 2 || q === asked) { return; }
          asked = q;
          fetch(input.getAttribute("data-suggest-institutions") + "?q=" + encodeURIComponent(q),
                { headers: { "Accept": "application/json" } })
            .then(function (response) { return response.ok ? response.json() : []; })
            .then(function (found) {
              list.replaceChildren.apply(list, found.map(function (institution) {
                var option = document.createElement("option");
                option.value = institution.slug;
                option.label = institution.name;
                return option;
              }));
            })
            .catch(function () { /* suggestions are a help, not a need */ });
        }, 200);
      });
    });
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
