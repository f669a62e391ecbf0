// Shared by every console page: POST with the session's CSRF token.
(function () {
  "use strict";
  const token = document.querySelector('meta[name="csrf-token"]').content;
  window.consoleApi = {
    post: function (url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(body || {}),
      });
    },
  };
})();
