// The live queue: server-sent events (/queue/stream) push every change, no polling. A new waiting
// customer is announced once: the title's badge 「(N) 待機中」, a screen-reader message, a sound if on.
(function () {
  "use strict";
  const body = document.querySelector("#queue tbody");
  const announcer = document.getElementById("queue-announce");
  const load = document.getElementById("my-load");
  const soundToggle = document.getElementById("queue-sound");
  const baseTitle = document.title;
  const SOUND_KEY = "console.queueSound";
  let known = null;  // waiting ids already seen (null: the first snapshot announces nothing)

  soundToggle.checked = localStorage.getItem(SOUND_KEY) === "on";
  soundToggle.addEventListener("change", () => localStorage.setItem(SOUND_KEY, soundToggle.checked ? "on" : "off"));

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }
  function statusText(row) {
    let text = row.status_label + (row.operator ? "（" + row.operator + "）" : "");
    if (row.offered_to_me) text += " ★あなたに割り当て";
    else if (row.status === "waiting" && row.offered_to) text += "（割り当て: " + row.offered_to + "）";
    return text;
  }
  function newRow(id) {
    const tr = document.createElement("tr");
    tr.dataset.id = id;
    for (let i = 0; i < 5; i++) tr.appendChild(document.createElement("td"));
    const open = document.createElement("td");
    const a = document.createElement("a");
    a.href = "/handoffs/" + encodeURIComponent(id);
    a.textContent = "開く";
    const note = document.createElement("p");
    note.className = "transfer-note";
    note.hidden = true;
    open.append(a, note);
    tr.appendChild(open);
    return tr;
  }
  // Rows are updated in place (the waiting time changes every second): a link being clicked is never
  // replaced under the pointer.
  function render(rows) {
    const existing = new Map();
    for (const tr of body.querySelectorAll("tr[data-id]")) existing.set(tr.dataset.id, tr);
    for (const tr of body.querySelectorAll("tr.empty")) tr.remove();
    let previous = null;
    for (const row of rows) {
      const tr = existing.get(row.id) || newRow(row.id);
      existing.delete(row.id);
      tr.dataset.status = row.status;
      tr.classList.toggle("offered", !!row.offered_to_me);
      tr.classList.toggle("ended", !!row.ended);
      const cells = tr.children;
      const values = [String(row.position || ""), row.channel, row.waiting, row.topic, statusText(row)];
      values.forEach((value, i) => setText(cells[i], value));
      const note = cells[5].querySelector(".transfer-note");
      note.hidden = !row.transfer_note;
      setText(note, row.transfer_note ? "引き継ぎメモ（" + (row.transferred_from || "") + "）: " + row.transfer_note : "");
      const expected = previous ? previous.nextSibling : body.firstChild;
      if (expected !== tr) body.insertBefore(tr, expected);
      previous = tr;
    }
    for (const tr of existing.values()) tr.remove();
    if (!rows.length) {
      const tr = document.createElement("tr");
      tr.className = "empty";
      const td = document.createElement("td");
      td.textContent = "待っている会話はありません。";
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }
  function beep() {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.1;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (e) { /* no audio here: the title and the announcement still tell */ }
  }
  function announce(rows) {
    const waiting = rows.filter((row) => row.status === "waiting");
    const fresh = known === null ? [] : waiting.filter((row) => !known.has(row.id));
    known = new Set(waiting.map((row) => row.id));
    document.title = waiting.length ? "(" + waiting.length + ") 待機中 | " + baseTitle : baseTitle;
    if (!fresh.length) return;
    announcer.textContent = fresh.length === 1
      ? "新しいお客さまが待っています（" + fresh[0].channel + "、" + fresh[0].position + "番目）。"
      : "新しいお客さまが" + fresh.length + "人待っています。";
    if (soundToggle.checked) beep();
  }
  const source = new EventSource("/queue/stream");
  source.addEventListener("queue", (e) => {
    const state = JSON.parse(e.data);
    render(state.rows);
    announce(state.rows);
    load.textContent = "対応中 " + state.me.held + " / " + state.me.capacity + " 件";
    consoleApi.showPresence(state.me.status);
  });
  source.addEventListener("error", () => {
    // EventSource reconnects by itself; a signed-out operator goes to the sign-in page.
    if (source.readyState === EventSource.CLOSED) location.href = "/signin?next=/queue";
  });
})();
