// One conversation: live transcript (server-sent events, resumed by cursor), take, reply, end.
(function () {
  "use strict";
  const root = document.getElementById("conversation");
  const id = root.dataset.id;
  const list = document.getElementById("transcript");
  const notice = document.getElementById("notice");
  const statusText = document.getElementById("status");
  const buttons = { take: document.getElementById("take"), handback: document.getElementById("handback"),
    close: document.getElementById("close") };
  const form = document.getElementById("reply");
  const box = document.getElementById("reply-text");
  const seen = new Set();
  const labels = { customer: "お客さま", bot: "チャットボット", pause: "", resume: "" };
  const STATUS_LABELS = { waiting: "待機中", active: "対応中", ending: "終了処理中", returned: "ボットに戻しました",
    closed: "終了", cancelled: "お客さまが取り消し", withdrawn: "取り下げ（おつなぎできず）" };
  let status = root.dataset.status;
  let mine = root.dataset.mine === "yes";

  function show() {
    statusText.textContent = STATUS_LABELS[status] || status;
    buttons.take.hidden = status !== "waiting";
    buttons.handback.hidden = buttons.close.hidden = !(status === "active" && mine);
    form.hidden = !(status === "active" && mine);
  }
  function add(line) {
    if (seen.has(line.id)) return;
    seen.add(line.id);
    const li = document.createElement("li");
    li.className = line.kind;
    if (line.kind === "pause") li.textContent = "— 担当者への引き継ぎ —";
    else if (line.kind === "resume") li.textContent = "— ボットに戻りました —";
    else {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = line.kind === "operator" ? "担当者（" + line.operator + "）" : labels[line.kind];
      li.append(who, document.createTextNode(line.text));
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }
  const source = new EventSource("/handoffs/" + encodeURIComponent(id) + "/stream");
  source.addEventListener("line", (e) => add(JSON.parse(e.data)));
  source.addEventListener("status", (e) => { status = JSON.parse(e.data).status; show(); });

  async function act(what, body) {
    notice.textContent = "";
    const response = await consoleApi.post("/handoffs/" + encodeURIComponent(id) + "/" + what, body);
    const result = response.headers.get("content-type") === "application/json" ? await response.json() : {};
    if (response.ok) {
      status = result.status || status;
      if (what === "take") mine = true;
    } else {
      notice.textContent = refusalText(result);
    }
    show();
  }
  function refusalText(result) {
    if (result.error === "already_taken") return "ほかの担当者が対応しています。";
    if (result.error === "at_capacity") {
      return "同時に対応できる会話の上限（" + result.capacity + "件）に達しています。対応中の会話を終えてからお受けください。";
    }
    return "操作できませんでした。";
  }
  buttons.take.addEventListener("click", () => act("take"));
  // Handing back or closing asks for the outcome first (conversation_desk.js); cancelled: nothing ends.
  async function end(what) {
    const outcome = await consoleDesk.askOutcome(what);
    if (outcome) act(what, outcome);
  }
  buttons.handback.addEventListener("click", () => end("handback"));
  buttons.close.addEventListener("click", () => end("close"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    const response = await consoleApi.post("/handoffs/" + encodeURIComponent(id) + "/messages", { text: text });
    if (response.ok) box.value = "";
    else notice.textContent = "送信できませんでした。もう一度お試しください。";
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  show();
})();
