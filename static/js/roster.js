// Roster pages: select-on-focus for feed URLs. (Confirmations for data-confirm are opsdesk.js's.)
(function () {
  "use strict";
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("feed-url")) {
      event.target.select();
    }
  });
})();
