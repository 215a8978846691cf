// The area picker's search box: suggestions from /dashboard/areas.json as the user types (accents optional).
// Without this script the box still works: the server reads what was typed (a code, or a name it can find).
(function () {
  "use strict";
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
        var url = input.dataset.suggest + (input.dataset.suggest.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (areas) {
            list.replaceChildren.apply(list, areas.map(function (area) {
              var option = document.createElement("option");
              option.value = area.code;
              option.label = area.name + " · " + area.level;
              return option;
            }));
          })
          .catch(function () { /* suggestions are a help, not a need */ });
      }, 200);
    });
  });
})();
