/* The staff header: on a phone its row of links scrolls sideways; bring the current page's link into view. */
(function () {
  "use strict";
  var current = document.querySelector(".staff-nav [aria-current]");
  var nav = document.querySelector(".staff-nav");
  if (!current || !nav || nav.scrollWidth <= nav.clientWidth) { return; }
  nav.scrollLeft = Math.max(0, current.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2);
})();
