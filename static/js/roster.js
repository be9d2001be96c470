// Roster pages: confirmation for buttons carrying data-confirm, and select-on-focus for feed URLs.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("feed-url")) {
      event.target.select();
    }
  });
})();
