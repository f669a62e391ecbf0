// Passing the conversation to another operator 受付中 with a note (console/routing.py). Shown while
// this operator holds it: the reply form (conversation.js) is visible exactly then.
(function () {
  "use strict";
  const root = document.getElementById("conversation");
  const form = document.getElementById("transfer-form");
  const select = document.getElementById("transfer-to");
  const note = document.getElementById("transfer-text");
  const notice = document.getElementById("transfer-notice");
  const reply = document.getElementById("reply");
  const id = root.dataset.id;

  async function loadTargets() {
    const response = await fetch("/api/operators", { credentials: "same-origin" });
    if (!response.ok) return;
    const operators = (await response.json()).operators;
    select.replaceChildren();
    for (const op of operators) {
      const option = document.createElement("option");
      option.value = op.id;
      option.textContent = op.name + "（対応中 " + op.held + " / " + op.capacity + "）";
      select.appendChild(option);
    }
    notice.textContent = operators.length ? "" : "引き継げる担当者（受付中で空きのある方）がいません。";
  }
  function sync() {
    const holding = !reply.hidden;
    if (holding && form.hidden) loadTargets();
    form.hidden = !holding;
  }
  new MutationObserver(sync).observe(reply, { attributes: true, attributeFilter: ["hidden"] });
  select.addEventListener("focus", loadTargets);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!select.value) return;
    const response = await consoleApi.post("/handoffs/" + encodeURIComponent(id) + "/transfer",
      { to: Number(select.value), note: note.value.trim() });
    if (response.ok) { location.reload(); return; }  // no longer this operator's conversation
    const result = await response.json().catch(() => ({}));
    notice.textContent = result.error === "not_available"
      ? "その担当者には引き継げません（受付中でないか、対応件数が上限です）。" : "引き継げませんでした。";
    loadTargets();
  });
  sync();
})();
