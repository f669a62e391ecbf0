// Shared by every console page: POST with the session's CSRF token; the operator's status in the header.
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
    // The header's 受付中／離席／対応終了 (console/presence.py); a page's own stream may report it too.
    showPresence: function (status) {
      const group = document.getElementById("presence");
      if (!group) return;
      group.dataset.status = status;
      for (const button of group.querySelectorAll("button[data-status]")) {
        button.setAttribute("aria-pressed", button.dataset.status === status ? "true" : "false");
      }
    },
  };
  const group = document.getElementById("presence");
  if (!group) return;  // signed out
  group.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-status]");
    if (!button) return;
    const response = await consoleApi.post("/presence", { status: button.dataset.status });
    if (response.ok) consoleApi.showPresence((await response.json()).status);
  });
  // Pages with a live stream of their own (queue, conversation) keep the status alive through it;
  // any other page opens this one, so closing the last console tab ends the status after a grace.
  if (!document.querySelector("[data-own-stream]")) {
    const source = new EventSource("/presence/stream");
    source.addEventListener("presence", (e) => consoleApi.showPresence(JSON.parse(e.data).status));
  }
})();
