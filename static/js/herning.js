// Start the design system's components. Kept in a file, not inline, so the Content-Security-Policy
// can forbid inline scripts.
(function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  // Parts loaded by htmx get the same treatment, within the part only: DKFDS.init() would also set
  // up the page's header navigation again, adding another "Mere" menu on every swap.
  var COMPONENTS = [
    [".accordion, .accordion-bordered", "Accordion"],
    [".alert.has-close", "Alert"],
    [".form-limit", "CharacterLimit"],
    [".js-checkbox-toggle-content", "CheckboxToggleContent"],
    [".js-dropdown", "Dropdown"],
    [".js-radio-toggle-group", "RadioToggleGroup"],
    ["table.table--responsive-headers, table.table-sm-responsive-headers, table.table-md-responsive-headers, table.table-lg-responsive-headers", "ResponsiveTable"],
    ["div.tab-container", "Tabs"],
    [".tooltip-wrapper", "Tooltip"]
  ];
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var scope = event.detail && event.detail.target;
    if (!window.DKFDS || !scope || !scope.querySelectorAll) {
      return;
    }
    COMPONENTS.forEach(function (entry) {
      var Component = window.DKFDS[entry[1]];
      if (typeof Component !== "function") {
        return;
      }
      scope.querySelectorAll(entry[0]).forEach(function (element) {
        new Component(element).init();
      });
    });
    if (window.DKFDS.datePicker && typeof window.DKFDS.datePicker.on === "function") {
      window.DKFDS.datePicker.on(scope);
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
