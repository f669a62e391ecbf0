// The queue refreshes itself (and keeps the operator counted as signed in).
(function () {
  "use strict";
  const body = document.querySelector("#queue tbody");
  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }
  function render(rows) {
    body.replaceChildren();
    if (!rows.length) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      const td = cell("待っている会話はありません。");
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    for (const row of rows) {
      const tr = document.createElement("tr");
      tr.dataset.id = row.id;
      tr.append(cell(row.position || ""), cell(row.channel), cell(row.waiting), cell(row.topic),
        cell(row.status_label + (row.operator ? "（" + row.operator + "）" : "")));
      const open = document.createElement("td");
      const a = document.createElement("a");
      a.href = "/handoffs/" + encodeURIComponent(row.id);
      a.textContent = "開く";
      open.appendChild(a);
      tr.appendChild(open);
      body.appendChild(tr);
    }
  }
  async function refresh() {
    try {
      const response = await fetch("/api/queue", { credentials: "same-origin" });
      if (response.status === 401) { location.href = "/signin?next=/queue"; return; }
      if (response.ok) render((await response.json()).queue);
    } catch (e) { /* offline for a moment: the next refresh catches up */ }
  }
  setInterval(refresh, 2000);
})();
