/* Folded sections (<details class="section">): a link to one, from the table of contents or another page,
   opens it; "open / close every section" buttons; everything opens for printing. Without this file the
   sections still open and close by themselves. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var sections = Array.prototype.slice.call(document.querySelectorAll("details.section"));
    if (!sections.length) { return; }

    function openTarget() {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id && document.getElementById(id);
      if (!target) { return; }
      var holder = target.closest("details.section");
      if (holder && !holder.open) {
        holder.open = true;
        target.scrollIntoView();
      }
    }

    function setAll(open) {
      sections.forEach(function (section) { section.open = open; });
    }

    var openAll = document.querySelector("[data-open-all]");
    var closeAll = document.querySelector("[data-close-all]");
    if (openAll && closeAll) {
      openAll.hidden = closeAll.hidden = false;
      openAll.addEventListener("click", function () { setAll(true); });
      closeAll.addEventListener("click", function () { setAll(false); });
    }
    // on a phone the long overview starts folded too: the table of contents is the overview there
    if (!window.location.hash && window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
      document.querySelectorAll("details.section[data-closed-on-phones]").forEach(function (section) {
        section.open = false;
      });
    }
    window.addEventListener("hashchange", openTarget);
    window.addEventListener("beforeprint", function () { setAll(true); });
    openTarget();
  });
})();
