// The "Udskriv" buttons of invitations and minutes. Kept in a file: the Content-Security-Policy
// forbids inline scripts.
(function () {
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
