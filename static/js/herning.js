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
})();
