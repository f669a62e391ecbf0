// What the operator records in one conversation: canned replies (定型文), internal notes, and the
// outcome asked before closing or handing back. conversation.js calls consoleDesk.askOutcome().
(function () {
  "use strict";
  const root = document.getElementById("conversation");
  const id = root.dataset.id;
  const notice = document.getElementById("notice");

  // Canned reply: inserted at the cursor of the message box, which stays editable before sending.
  const box = document.getElementById("reply-text");
  const select = document.getElementById("canned-select");
  document.getElementById("canned-insert").addEventListener("click", () => {
    const option = select.selectedOptions[0];
    if (!option || !option.value) return;
    const text = option.dataset.text;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.setSelectionRange(start + text.length, start + text.length);
  });

  // Internal notes: stored by the console only.
  const notes = document.getElementById("notes");
  const noteForm = document.getElementById("note-form");
  const noteText = document.getElementById("note-text");
  noteForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = noteText.value.trim();
    if (!text) return;
    const response = await consoleApi.post("/handoffs/" + encodeURIComponent(id) + "/notes", { text: text });
    if (!response.ok) { notice.textContent = "メモを保存できませんでした。"; return; }
    const note = (await response.json()).note;
    const li = document.createElement("li");
    const when = document.createElement("span");
    when.className = "when";
    when.textContent = note.time + " " + note.operator;
    li.append(when, document.createTextNode(note.text));
    notes.appendChild(li);
    noteText.value = "";
  });

  // Outcome: a modal dialog; resolves with {outcome, note}, or null when cancelled.
  const dialog = document.getElementById("outcome-dialog");
  const form = document.getElementById("outcome-form");
  const title = document.getElementById("outcome-title");
  const error = document.getElementById("outcome-error");
  const noteBox = document.getElementById("outcome-note");
  let answer = null;
  function askOutcome(what) {
    title.textContent = what === "close" ? "対応結果（会話を終了する）" : "対応結果（ボットに戻す）";
    form.reset();
    error.textContent = "";
    return new Promise((resolve) => {
      answer = resolve;
      dialog.showModal();
    });
  }
  function finish(value) {
    if (answer) { const done = answer; answer = null; done(value); }
  }
  form.addEventListener("submit", (event) => {
    const chosen = form.querySelector('input[name="outcome"]:checked');
    if (!chosen) { event.preventDefault(); error.textContent = "結果を選んでください。"; return; }
    finish({ outcome: chosen.value, note: noteBox.value.trim() });
  });
  document.getElementById("outcome-cancel").addEventListener("click", () => { dialog.close(); });
  dialog.addEventListener("close", () => finish(null));  // Esc, cancel, or after submit (already answered)
  window.consoleDesk = { askOutcome: askOutcome };
})();
