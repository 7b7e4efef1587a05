// The "Udskriv" buttons of letters (invitations, minutes, the child's plan). Kept in a file: the
// Content-Security-Policy forbids inline scripts.
(function () {
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
