// Start the design system's components. Kept in a file, not inline, so the Content-Security-Policy
// can forbid inline scripts.
(function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  // Pages loaded by htmx get the same treatment.
  document.body.addEventListener("htmx:afterSwap", function () {
    if (window.DKFDS && typeof window.DKFDS.init === "function") {
      window.DKFDS.init();
    }
  });
  // The design system opens the mobile drawer by putting a class on <body> but does not say so to
  // assistive technology: the menu button's aria-expanded follows that class.
  var openers = document.querySelectorAll(".js-menu-open[aria-controls]");
  if (openers.length) {
    var sync = function () {
      var open = document.body.classList.contains("mobile-nav-active");
      for (var i = 0; i < openers.length; i++) {
        openers[i].setAttribute("aria-expanded", open ? "true" : "false");
      }
    };
    new MutationObserver(sync).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    sync();
  }
})();
