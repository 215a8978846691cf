/* Recurrence builder enhancements. The form works without this file: every option is shown and the
   "Preview" button asks the server. With it, only the options of the chosen repeat (and of the chosen end)
   are shown, and the
   preview refreshes by itself when the dates or the repeat change (still computed by the server). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var form = document.getElementById("activity-form");
    if (!form) { return; }
    var groups = form.querySelectorAll(".repeat-options .group[data-repeat]");
    var region = document.getElementById("preview-region");

    function chosen() {
      var checked = form.querySelector("input[name=repeat]:checked");
      return checked ? checked.value : "none";
    }

    function showGroups() {
      var kind = chosen();
      groups.forEach(function (group) {
        group.hidden = group.getAttribute("data-repeat").split(" ").indexOf(kind) === -1;
      });
    }

    // "Ends": the last-date box for "on a date", the number box for "after N times", never both
    var endOptions = form.querySelectorAll(".end-option[data-end]");
    function showEnd() {
      var checked = form.querySelector("input[name=end]:checked");
      if (!checked) { return; }
      endOptions.forEach(function (option) {
        option.hidden = option.getAttribute("data-end") !== checked.value;
      });
    }

    var timer = null;
    var pending = null;
    function refreshPreview() {
      if (!region || !window.fetch || !window.FormData) { return; }
      var starts = form.querySelector("[name=starts_on]");
      if (!starts || !starts.value) { return; }
      var data = new FormData(form);
      data.set("preview", "1");
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST", body: data, credentials: "same-origin", signal: pending.signal,
        headers: { "X-Preview": "fragment" }
      }).then(function (response) {
        // a refused preview (422) renders the whole form with its errors: leave that to the button
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html !== null) { region.innerHTML = html; }
      }).catch(function () { /* offline or aborted: the Preview button still works */ });
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(refreshPreview, 400);
    }

    form.addEventListener("change", function (event) {
      var name = event.target.name || "";
      if (name === "repeat") { showGroups(); }
      if (name === "end") { showEnd(); }
      if (/^(starts_on|start_time|end_time|ends_on|all_day|repeat|interval|weekdays|ordinal|weekday|month_day|end|until|count)$/.test(name)) {
        schedule();
      }
    });
    showGroups();
    showEnd();
  });
})();
