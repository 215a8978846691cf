// Small helpers for the citizens' pages (the CSP allows no inline script): copy a link, print, focus the
// summary of a form's errors. Every page works without them.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // the area and institution filters: suggestions ({value, label}) as a name is typed (accents optional);
    // the server also reads a typed name, so the fields work without this
    document.querySelectorAll("input[data-suggest]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("list"));
      var timer = null;
      var asked = "";
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var q = input.value.trim();
          if (q.length < 2 || q === asked) { return; }
          asked = q;
          fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q),
                { headers: { "Accept": "application/json" } })
            .then(function (response) { return response.ok ? response.json() : []; })
            .then(function (found) {
              list.replaceChildren.apply(list, found.map(function (item) {
                var option = document.createElement("option");
                option.value = item.value;
                option.label = item.label;
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
