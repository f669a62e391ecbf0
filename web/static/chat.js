/*
 * OCN chat widget: a small client for the bot's socket.io channel (channels/socketio.py: user_uttered /
 * bot_uttered, sessions issued by the server). The server answers `session_request` with
 * {session_id, session_token}; the widget keeps both and shows the token to resume the same
 * conversation after a reload (without a valid token the server starts a new one). Each resume gets a
 * new token (the used one stops working); 「最初から」 and endSession() revoke it (`session_end`).
 *
 * What goes into web storage is what the tracker store keeps: a typed message is stored only once the
 * server has acknowledged it, with the text it sends back (codes and phone numbers masked by
 * bot_server/redaction.py: the one redaction, no copy of it here). Until then it lives in memory only.
 * Every message has a random id (`message_id`); one the server has not acknowledged is sent again, with
 * the same id, after a reconnect, and the server runs it at most once (channels/resends.py).
 *
 * Needs the socket.io browser client (vendor/socket.io.min.js, `window.io`) and chat.css. No other dependencies.
 *
 *   var chat = OCNChat.init({socketUrl: "https://chat.example.jp"});   // see docs/web.md
 *
 * Everything shown is built with DOM APIs and textContent (never innerHTML with message text), so
 * text from the customer or the bot cannot inject markup. Only http(s) URLs in bot text become links.
 */
(function (global) {
  'use strict';

  var DEFAULTS = {
    socketUrl: null,          // Rasa's origin; "same-origin" (or "") = this page's origin
    rasaPort: null,           // with socketUrl null: this page's host name on this port
    socketPath: '/socket.io/',
    initPayload: '/greet',    // sent (not shown) when the chat is first opened; null = none
    storage: 'session',       // 'session' (this tab, survives reloads) or 'local' (also new tabs)
    storageKey: 'ocn-chat',
    sessionTtlMinutes: 60,    // matches Rasa's session_expiration_time: older history is dropped
    replyTimeoutSeconds: 30,  // the typing indicator gives up after this long without a reply
    maxHistory: 100,
    codeWarnSeconds: 120,     // the code step offers a new code from this many seconds before the code expires
    title: 'OCN チャットサポート',
    subtitle: 'IDとパスワードのご質問にお答えします',
    launcherLabel: 'チャットで質問する',
    placeholder: 'ご質問をご入力ください',
    note: '※パスワードは入力しないでください',
    container: null           // element to append the widget to (default document.body)
  };

  var TEXT = {
    close: 'チャットを閉じる',
    restart: '最初から',
    restartLabel: '会話を最初からやり直す',
    send: '送信',
    inputLabel: 'メッセージ',
    log: 'チャットの会話',
    choices: '選択肢',
    typing: '回答を準備しています',
    you: 'お客さま',
    bot: 'チャットボット',
    operator: '担当者',
    connecting: '接続しています…',
    reconnecting: '接続が切れました。再接続しています…',
    unavailable: 'チャットを読み込めませんでした。しばらくしてからページを再読み込みしてください。',
    noReply: '応答に時間がかかっています。しばらくしてから、もう一度お送りください。',
    linkNote: '（新しいタブで開きます）',
    // The server ended this window's part of the conversation (session_ended; channels/socketio.py).
    resumedElsewhere: 'この会話は別の画面で続いています。こちらで新しく始めるには、ページを再読み込みしてください。',
    sessionEnded: 'この会話は終了しました。新しく始めるには、ページを再読み込みしてください。',
    textSize: '文字の大きさ',
    codeLabel: '確認コード（6桁の数字）',
    codePlaceholder: '例：123456',
    codeLeft: '確認コードの有効期限：あと',
    codeWarn: '確認コードの有効期限まで、あと',
    codeExpired: '確認コードの有効期限が切れました。',
    newCode: '新しいコードを送る',
    newCodeHint: '「新しいコードを送る」ボタンで、新しいコードをお送りします。',
    minutes: '分',
    seconds: '秒',
    positionMark: '担当者をお待ちの順番：',
    position: function (n) { return '担当者をお待ちの順番：' + n + '番目です'; }
  };

  // Text sizes (the whole widget scales with --ocn-chat-scale in chat.css); remembered in localStorage.
  var TEXT_SIZES = [
    { key: 'normal', label: '標準', scale: 1 },
    { key: 'large', label: '大', scale: 1.25 },
    { key: 'xlarge', label: '特大', scale: 1.5 }
  ];
  var RESEND_PAYLOAD = '/resend_code'; // the resend flow of actions/code_step.py (intent resend_code)

  var ICON_CHAT = '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24">' +
    '<path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z' +
    'm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';
  var ICON_CLOSE = '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="22" height="22">' +
    '<path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" d="M6 6l12 12M18 6L6 18"/></svg>';
  var ICON_SEND = '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" height="20">' +
    '<path fill="currentColor" d="M3 20.5V14l9-2-9-2V3.5L22 12z"/></svg>';

  // http(s) URLs made of URL characters (so Japanese text right after a URL is not part of it).
  var URL_RE = /https?:\/\/[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+/g;

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (attrs) {
      for (var key in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, key)) node.setAttribute(key, attrs[key]);
      }
    }
    return node;
  }

  function safeHttpUrl(text) {
    try {
      var url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function trimUrl(url) {
    // Drop sentence punctuation and unbalanced closing brackets that follow a URL.
    for (;;) {
      var last = url.charAt(url.length - 1);
      if ('.,;:!?\''.indexOf(last) >= 0) { url = url.slice(0, -1); continue; }
      if (last === ')' && url.split('(').length < url.split(')').length) { url = url.slice(0, -1); continue; }
      if (last === ']' && url.split('[').length < url.split(']').length) { url = url.slice(0, -1); continue; }
      return url;
    }
  }

  /** Append `text` to `parent` as text nodes, turning http(s) URLs into safe links. */
  function appendLinkified(parent, text) {
    var index = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var raw = trimUrl(match[0]);
      var href = safeHttpUrl(raw);
      if (!href) continue;
      if (match.index > index) parent.appendChild(document.createTextNode(text.slice(index, match.index)));
      var link = el('a', 'ocn-chat-link', { href: href, target: '_blank', rel: 'noopener noreferrer' });
      link.textContent = raw;
      var note = el('span', 'ocn-chat-sr');
      note.textContent = TEXT.linkNote;
      link.appendChild(note);
      parent.appendChild(link);
      index = match.index + raw.length;
      URL_RE.lastIndex = index;
    }
    if (index < text.length) parent.appendChild(document.createTextNode(text.slice(index)));
  }

  function makeStore(kind, key) {
    var backend = null;
    try {
      backend = kind === 'local' ? global.localStorage : global.sessionStorage;
      var probe = key + ':probe';
      backend.setItem(probe, '1');
      backend.removeItem(probe);
    } catch (e) {
      backend = null; // storage blocked: the conversation still works, but not across reloads
    }
    return {
      load: function () {
        if (!backend) return null;
        try { return JSON.parse(backend.getItem(key) || 'null'); } catch (e) { return null; }
      },
      save: function (state) {
        if (!backend) return;
        try { backend.setItem(key, JSON.stringify(state)); } catch (e) { /* quota: keep going */ }
      },
      clear: function () {
        if (!backend) return;
        try { backend.removeItem(key); } catch (e) { /* ignore */ }
      }
    };
  }

  function resolveSocketUrl(config, location) {
    var url = config.socketUrl;
    if (url === 'same-origin' || url === '') return location.origin;
    if (url) return url;
    if (config.rasaPort) return location.protocol + '//' + location.hostname + ':' + config.rasaPort;
    return location.origin;
  }

  var STATE_VERSION = 2; // 1 kept typed text unmasked: such a state is dropped, never shown again

  function freshState() {
    return {
      v: STATE_VERSION, sessionId: null, sessionToken: null, messages: [], open: false, greeted: false, updated: Date.now()
    };
  }

  /** 128 random bits in hex: the client message id of channels/resends.py (8-64 of [A-Za-z0-9_-]). */
  function newMessageId() {
    var bytes = new Uint8Array(16);
    if (global.crypto && global.crypto.getRandomValues) {
      global.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    var hex = '';
    for (var j = 0; j < bytes.length; j++) hex += (bytes[j] < 16 ? '0' : '') + bytes[j].toString(16);
    return hex;
  }

  /** The state as it may be stored: typed messages the server has not masked yet are left out. */
  function storable(state) {
    var copy = {};
    for (var key in state) {
      if (Object.prototype.hasOwnProperty.call(state, key)) copy[key] = state[key];
    }
    copy.messages = state.messages.filter(function (m) { return typeof m.text === 'string' || m.image || m.buttons; });
    return copy;
  }

  /** Buttons from a bot_uttered payload (Rasa sends `quick_replies`; custom JSON may use `buttons`). */
  function buttonsOf(message) {
    var list = message.quick_replies || message.buttons || [];
    var buttons = [];
    for (var i = 0; i < list.length; i++) {
      var b = list[i] || {};
      if (typeof b.title !== 'string') continue;
      var choice = { title: b.title, payload: typeof b.payload === 'string' ? b.payload : b.title };
      var ruby = furiganaOf(b.furigana);
      if (ruby) choice.furigana = ruby;
      buttons.push(choice);
    }
    return buttons;
  }

  // ---- やさしい日本語 (easy Japanese) mode -------------------------------------------------
  // The mode lives in the conversation (slot easy_japanese); the toggle sends a payload and the bot
  // answers with a marker {easy_japanese_mode: 'on'|'off'} (actions/easy_japanese_actions.py), also
  // when the customer switched by typing. Messages in easy Japanese carry `furigana`: [[base, reading
  // or null], ...] (channels/easy_japanese_output.py), rendered as <ruby> built from DOM nodes.
  // The widget's own strings: easy_japanese/texts/widget.yml (tests/easy_japanese check they match).
  var EASY_PAYLOAD = { on: '/easy_japanese_on', off: '/easy_japanese_off' };
  var EASY_TEXT = {
    toggle: 'やさしい日本語',
    toggleLabel: 'やさしい日本語で表示する',
    toggleShownOn: 'やさしい日本語',
    toggleShownOff: 'ふつうの日本語',
    subtitle: 'IDとパスワードの質問に答えます',
    placeholder: '質問を書いてください',
    note: '※パスワードは書かないでください',
    restart: 'はじめから',
    restartLabel: '会話をはじめからやり直す',
    typing: '答えを準備しています',
    noReply: '答えに時間がかかっています。少し待ってから、もう一度送ってください。'
  };

  /** Segments [[base, reading|null], ...] from a message, or null when they are not well-formed. */
  function furiganaOf(value) {
    if (!Array.isArray(value)) return null;
    var segments = [];
    for (var i = 0; i < value.length; i++) {
      var s = value[i];
      if (!Array.isArray(s) || typeof s[0] !== 'string') return null;
      segments.push([s[0], typeof s[1] === 'string' && s[1] ? s[1] : null]);
    }
    return segments;
  }

  /** Append segments to `parent`: <ruby>base<rt>reading</rt></ruby> or linkified text (never HTML). */
  function appendRuby(parent, segments, linkify) {
    for (var i = 0; i < segments.length; i++) {
      var base = segments[i][0];
      var reading = segments[i][1];
      if (reading) {
        var ruby = el('ruby');
        ruby.appendChild(document.createTextNode(base));
        var rt = el('rt');
        rt.textContent = reading;
        ruby.appendChild(rt);
        parent.appendChild(ruby);
      } else if (linkify) {
        appendLinkified(parent, base);
      } else {
        parent.appendChild(document.createTextNode(base));
      }
    }
  }

  function joined(segments) {
    return segments.map(function (s) { return s[0]; }).join('');
  }

  /** A bubble's text: ruby when its furigana spell exactly its text. */
  function appendBotText(parent, item, text) {
    if (item.furigana && text === item.text && joined(item.furigana) === text) {
      parent.classList.add('ocn-chat-bubble--ruby');
      appendRuby(parent, item.furigana, true);
    } else {
      appendLinkified(parent, text);
    }
  }

  function setChoiceLabel(button, choice) {
    if (choice.furigana && joined(choice.furigana) === choice.title) appendRuby(button, choice.furigana, false);
    else button.textContent = choice.title;
  }

  Chat.prototype.buildEasyToggle = function () {
    var self = this;
    var toggle = el('button', 'ocn-chat-easy', {
      type: 'button', 'aria-pressed': 'false', 'aria-label': EASY_TEXT.toggleLabel, lang: 'ja'
    });
    toggle.textContent = EASY_TEXT.toggle;
    toggle.addEventListener('click', function () {
      var on = !self.state.easy;
      self.setEasy(on);
      self.send(on ? EASY_PAYLOAD.on : EASY_PAYLOAD.off, on ? EASY_TEXT.toggleShownOn : EASY_TEXT.toggleShownOff);
    });
    return toggle;
  };

  /** Show the mode: the toggle's state and the widget's own strings. */
  Chat.prototype.setEasy = function (on) {
    if (!!this.state.easy !== !!on) {
      this.state.easy = !!on;
      this.save();
    }
    var d = this.dom;
    var c = this.config;
    d.easy.setAttribute('aria-pressed', on ? 'true' : 'false');
    d.root.classList.toggle('ocn-chat--easy', !!on);
    d.subtitle.textContent = on ? EASY_TEXT.subtitle : c.subtitle;
    d.input.setAttribute('placeholder', on ? EASY_TEXT.placeholder : c.placeholder);
    d.note.textContent = on ? EASY_TEXT.note : c.note;
    d.restart.textContent = on ? EASY_TEXT.restart : TEXT.restart;
    d.restart.setAttribute('aria-label', on ? EASY_TEXT.restartLabel : TEXT.restartLabel);
    d.typingText.textContent = on ? EASY_TEXT.typing : TEXT.typing;
  };

  /** The bot's mode marker: true when `message` was one (nothing to show). */
  Chat.prototype.receiveEasyMode = function (message) {
    var mode = message.easy_japanese_mode || (message.data && message.data.easy_japanese_mode);
    if (mode !== 'on' && mode !== 'off') return false;
    this.setEasy(mode === 'on');
    return true;
  };

  function Chat(options) {
    var config = {};
    var key;
    for (key in DEFAULTS) config[key] = DEFAULTS[key];
    for (key in options || {}) {
      if (Object.prototype.hasOwnProperty.call(options, key) && options[key] !== undefined) config[key] = options[key];
    }
    this.config = config;
    this.store = makeStore(config.storage, config.storageKey);
    // Preferences outlive conversations and tabs: always localStorage, next to the conversation's key.
    this.prefs = makeStore('local', config.storageKey + ':prefs');
    var state = this.store.load();
    var ttl = config.sessionTtlMinutes * 60 * 1000;
    this.endProof = null;     // {session_id, session_token} of a session to revoke on the next connect
    if (!state || state.v !== STATE_VERSION || !Array.isArray(state.messages) ||
        (ttl > 0 && Date.now() - state.updated > ttl)) {
      if (state && state.sessionId && state.sessionToken) {
        this.endProof = { session_id: state.sessionId, session_token: state.sessionToken };
      }
      state = freshState();
      this.store.clear();
    }
    this.state = state;
    this.socket = null;
    this.ready = false;       // connected and in our session's room (session_confirm received)
    this.outbox = [];         // {id, payload, sent}: messages until the server acknowledges them
    this.typed = {};          // message id -> the text as typed, shown until the page is left
    this.waiting = false;     // a customer message is waiting for the bot's reply
    this.replyTimer = null;
    this.composing = false;
    this.codeTimer = null;
    this.build();
    this.renderAll();
    this.applyTextSize((this.prefs.load() || {}).textSize);
    this.setOpen(state.open, false);
    this.showCodeStep();
    this.connect();
  }

  Chat.prototype.build = function () {
    var self = this;
    var c = this.config;
    this.dom = {};
    var root = el('div', 'ocn-chat', { 'data-ocn-chat': '' });
    var panelId = 'ocn-chat-panel';

    var launcher = el('button', 'ocn-chat-launcher', {
      type: 'button', 'aria-label': c.launcherLabel, 'aria-expanded': 'false', 'aria-controls': panelId
    });
    launcher.innerHTML = ICON_CHAT; // constant markup only
    var launcherText = el('span', 'ocn-chat-launcher-text', { 'aria-hidden': 'true' });
    launcherText.textContent = c.launcherLabel;
    launcher.appendChild(launcherText);
    launcher.addEventListener('click', function () { self.setOpen(!self.state.open, true); });

    var panel = el('section', 'ocn-chat-panel', { id: panelId, role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'ocn-chat-title' });
    panel.hidden = true;

    var header = el('header', 'ocn-chat-header');
    var titles = el('div', 'ocn-chat-titles');
    var title = el('h2', 'ocn-chat-title', { id: 'ocn-chat-title' });
    title.textContent = c.title;
    var subtitle = el('p', 'ocn-chat-subtitle');
    subtitle.textContent = c.subtitle;
    titles.appendChild(title);
    titles.appendChild(subtitle);
    var restart = el('button', 'ocn-chat-restart', { type: 'button', 'aria-label': TEXT.restartLabel });
    restart.textContent = TEXT.restart;
    restart.addEventListener('click', function () { self.restart(); });
    var close = el('button', 'ocn-chat-close', { type: 'button', 'aria-label': TEXT.close });
    close.innerHTML = ICON_CLOSE; // constant markup only
    close.addEventListener('click', function () { self.setOpen(false, true); });
    header.appendChild(titles);
    var easy = this.buildEasyToggle();
    header.appendChild(easy);
    header.appendChild(restart);
    header.appendChild(close);

    // The scrolling part takes the focus, so the history can be scrolled with the arrow keys also when
    // it holds nothing else focusable (WCAG 2.1.1; axe scrollable-region-focusable).
    var body = el('div', 'ocn-chat-body', { tabindex: '0', role: 'region', 'aria-label': TEXT.log });
    // The log is not live: only new messages are read out, once, from the announcer below (announce()).
    var log = el('div', 'ocn-chat-log', { role: 'log', 'aria-live': 'off' });
    var typing = el('div', 'ocn-chat-typing', { role: 'status' });
    typing.hidden = true;
    var dots = el('span', 'ocn-chat-dots', { 'aria-hidden': 'true' });
    dots.appendChild(el('span'));
    dots.appendChild(el('span'));
    dots.appendChild(el('span'));
    var typingText = el('span', 'ocn-chat-sr');
    typingText.textContent = TEXT.typing;
    typing.appendChild(dots);
    typing.appendChild(typingText);
    body.appendChild(log);
    body.appendChild(typing);

    var status = el('div', 'ocn-chat-status', { role: 'status', 'aria-live': 'polite' });
    status.hidden = true;

    var form = el('form', 'ocn-chat-form');
    var input = el('textarea', 'ocn-chat-input', {
      id: 'ocn-chat-input', rows: '1', placeholder: c.placeholder, 'aria-label': TEXT.inputLabel,
      enterkeyhint: 'send', autocomplete: 'off'
    });
    var send = el('button', 'ocn-chat-send', { type: 'submit', 'aria-label': TEXT.send });
    send.innerHTML = ICON_SEND; // constant markup only
    form.appendChild(input);
    form.appendChild(send);
    var note = el('p', 'ocn-chat-note');
    note.textContent = c.note;

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      self.submitInput();
    });
    // Japanese IME: Enter confirms the conversion while composing; only Enter after it sends.
    // (Chrome reports isComposing, Safari keyCode 229 on the confirming Enter.)
    input.addEventListener('compositionstart', function () { self.composing = true; });
    input.addEventListener('compositionend', function () { self.composing = false; });
    input.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter') return;
      if (event.isComposing || event.keyCode === 229 || self.composing) return;
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return; // new line
      event.preventDefault();
      self.submitInput();
    });
    input.addEventListener('input', function () { self.autosize(); });
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !event.isComposing && !self.composing) {
        self.setOpen(false, true);
      }
    });

    panel.appendChild(header);
    panel.appendChild(this.buildTextSizeBar());
    panel.appendChild(body);
    panel.appendChild(status);
    panel.appendChild(this.buildCodeBar());
    panel.appendChild(this.buildCodeLabel());
    panel.appendChild(form);
    panel.appendChild(note);
    panel.appendChild(this.buildAnnouncer());
    root.appendChild(panel);
    root.appendChild(launcher);
    (c.container || document.body).appendChild(root);

    this.dom.root = root; this.dom.launcher = launcher; this.dom.panel = panel; this.dom.body = body;
    this.dom.log = log; this.dom.typing = typing; this.dom.status = status; this.dom.form = form;
    this.dom.input = input; this.dom.send = send;
    this.dom.easy = easy; this.dom.subtitle = subtitle; this.dom.note = note; this.dom.restart = restart;
    this.dom.typingText = typingText;
    this.setEasy(!!this.state.easy);
  };

  Chat.prototype.setOpen = function (open, byUser) {
    this.state.open = !!open;
    this.dom.panel.hidden = !open;
    this.dom.launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
    this.dom.root.classList.toggle('ocn-chat--open', !!open);
    document.documentElement.classList.toggle('ocn-chat-is-open', !!open);
    this.save();
    if (open) {
      this.autosize();
      this.scrollToEnd();
      if (byUser) this.focusInput();
      this.greetIfNew();
    } else if (byUser) {
      this.dom.launcher.focus();
    }
  };

  Chat.prototype.save = function () {
    var messages = this.state.messages;
    if (messages.length > this.config.maxHistory) messages.splice(0, messages.length - this.config.maxHistory);
    this.state.updated = Date.now();
    this.store.save(storable(this.state));
  };

  // ---- connection -------------------------------------------------------------------------

  Chat.prototype.connect = function () {
    var self = this;
    if (typeof global.io !== 'function') {
      this.setStatus(TEXT.unavailable);
      this.dom.input.disabled = true;
      this.dom.send.disabled = true;
      return;
    }
    this.setStatus(TEXT.connecting);
    var socket = global.io(resolveSocketUrl(this.config, global.location), {
      path: this.config.socketPath,
      reconnectionDelayMax: 10000
    });
    this.socket = socket;
    socket.on('connect', function () { self.requestSession(); });
    socket.on('session_confirm', function (data) {
      var id = typeof data === 'string' ? data : data && data.session_id;
      if (!id) return;
      if (self.state.sessionId && self.state.sessionId !== id) {
        var open = self.state.open;
        self.state = freshState();
        self.state.open = open;
        self.typed = {};
        // Messages sent to the lost conversation are not carried into the new one.
        self.outbox = self.outbox.filter(function (entry) { return !entry.sentOnce; });
        self.renderAll();
        self.showCodeStep();
      }
      self.state.sessionId = id;
      self.state.sessionToken = (data && typeof data.session_token === 'string') ? data.session_token : null;
      self.ready = true;
      self.setStatus(null);
      self.save();
      self.flush();
      self.greetIfNew();
    });
    socket.on('bot_uttered', function (message) { self.receive(message); });
    socket.on('session_ended', function (data) {
      // Resumed in another window or ended there: the server disconnects this socket next.
      self.endedText = data && data.reason === 'resumed_elsewhere' ? TEXT.resumedElsewhere : TEXT.sessionEnded;
    });
    socket.on('disconnect', function () {
      self.ready = false;
      if (self.endedText) { self.setStatus(self.endedText); return; }
      // Not acknowledged: may not have arrived. Sent again (same id) once the session is confirmed.
      self.outbox.forEach(function (entry) { entry.sent = false; });
      self.setStatus(TEXT.reconnecting);
    });
    socket.on('connect_error', function () {
      self.setStatus(self.state.sessionId ? TEXT.reconnecting : TEXT.connecting);
    });
  };

  /** Ask for our session (resume with the proof the server gave us, or a new one); first revoke a
   *  session the customer ended while offline. The server answers session_confirm with the same id and
   *  a new token, or with a new id when ours is unknown, used or expired. */
  Chat.prototype.requestSession = function () {
    var self = this;
    var socket = this.socket;
    var request = function () {
      socket.emit('session_request', { session_id: self.state.sessionId, session_token: self.state.sessionToken });
    };
    if (!this.endProof) { request(); return; }
    var proof = this.endProof;
    socket.emit('session_end', proof, function () {
      if (self.endProof === proof) self.endProof = null;
      request(); // after the revocation: the server handles events concurrently
    });
  };

  Chat.prototype.emit = function (payload, id) {
    this.outbox.push({ id: id || newMessageId(), payload: payload, sent: false, sentOnce: false });
    this.flush();
  };

  Chat.prototype.flush = function () {
    var self = this;
    if (!this.ready || !this.socket) return;
    this.outbox.forEach(function (entry) {
      if (entry.sent) return;
      entry.sent = entry.sentOnce = true;
      var data = { message: entry.payload, message_id: entry.id, session_id: self.state.sessionId };
      self.socket.emit('user_uttered', data, function (ack) { self.acknowledged(entry.id, ack); });
    });
  };

  /** The server has the message: store it the way the tracker store keeps it, and stop resending it. */
  Chat.prototype.acknowledged = function (id, ack) {
    this.outbox = this.outbox.filter(function (entry) { return entry.id !== id; });
    if (!Object.prototype.hasOwnProperty.call(this.typed, id)) return;
    var masked = ack && typeof ack.text === 'string' ? ack.text : null;
    for (var i = 0; i < this.state.messages.length; i++) {
      var item = this.state.messages[i];
      if (item.id === id) {
        if (masked !== null) item.text = masked; // the page keeps showing what was typed until it is left
        else this.state.messages.splice(i, 1);   // no masked copy from the server: never stored
        break;
      }
    }
    delete this.typed[id];
    this.save();
  };

  Chat.prototype.greetIfNew = function () {
    if (!this.state.open || !this.ready || this.state.greeted || !this.config.initPayload) return;
    if (this.state.messages.length) return;
    this.state.greeted = true;
    this.save();
    this.setWaiting(true);
    this.emit(this.config.initPayload);
  };

  /** End this conversation for good: revoke its resume token on the server and forget it here. */
  Chat.prototype.endSession = function (open) {
    if (this.state.sessionId && this.state.sessionToken) {
      this.endProof = { session_id: this.state.sessionId, session_token: this.state.sessionToken };
    }
    this.state = freshState();
    this.state.open = !!open;
    this.outbox = [];
    this.typed = {};
    this.setWaiting(false);
    this.showCodeStep();
    this.ready = false; // nothing more goes to the ended session
    this.store.clear();
    this.save();
    this.renderAll();
    this.setEasy(false); // a new conversation starts in the standard mode
    this.setOpen(this.state.open, false);
    if (this.socket && this.socket.connected) this.requestSession();
  };

  /** 「最初から」: a new conversation (new session id); the old one's token is revoked. */
  Chat.prototype.restart = function () {
    this.endSession(true);
    this.focusInput();
  };

  // ---- messages ---------------------------------------------------------------------------

  Chat.prototype.submitInput = function () {
    var text = this.dom.input.value.replace(/^\s+|\s+$/g, '');
    if (!text || !this.socket) return;
    this.dom.input.value = '';
    this.autosize();
    this.send(text, text, true);
  };

  /** Send `payload` to the bot and show `shown` as the customer's message (null: show nothing).
   *  `typed`: the customer typed it, so it is stored only as the server masks it (see the top). */
  Chat.prototype.send = function (payload, shown, typed) {
    var id = newMessageId();
    this.retireButtons();
    if (this.state.codeStep) this.state.codeStep.answered = true;
    if (this.statusText === TEXT.noReply) this.setStatus(null);
    if (shown !== null && shown !== undefined) {
      if (typed) {
        this.typed[id] = String(shown);
        this.append({ from: 'user', id: id, text: null });
      } else {
        this.append({ from: 'user', id: id, text: String(shown) });
      }
    }
    // A person need not answer at once: no typing indicator or "no reply" notice during a handoff.
    this.setWaiting(this.state.handoff !== 'waiting' && this.state.handoff !== 'operator');
    this.emit(String(payload), id);
  };

  /** A message from the bot (also usable by the host page to show a local message). */
  Chat.prototype.receive = function (message) {
    if (!message || typeof message !== 'object') return;
    // Handoff marker (actions/handoff_actions.py): waiting for a person, a person writes, the bot again.
    var handoff = message.handoff || (message.data && message.data.handoff);
    if (typeof handoff === 'string') {
      this.state.handoff = handoff; this.endCodeStep(); this.save(); this.setWaiting(false);
      // The place in the queue while waiting (actions/handoff_waiting.py), in the status line, not a bubble.
      var position = typeof message.position === 'number' ? message.position : message.data && message.data.position;
      if (handoff === 'waiting' && typeof position === 'number' && position > 0) this.setStatus(TEXT.position(position));
      else if (handoff !== 'waiting' && this.statusText && this.statusText.indexOf(TEXT.positionMark) === 0) this.setStatus(null);
      return;
    }
    if (this.receiveEasyMode(message)) return;
    // Code step marker (actions/code_step.py): the bot asks for the one-time code, valid this long.
    var codeStep = message.code_step || (message.data && message.data.code_step);
    if (codeStep && typeof codeStep === 'object') { this.startCodeStep(codeStep.expires_in); return; }
    var from = this.state.handoff === 'operator' ? 'operator' : 'bot';
    var item = { from: from, text: typeof message.text === 'string' ? message.text : '' };
    var buttons = buttonsOf(message);
    if (buttons.length) item.buttons = buttons;
    var furigana = furiganaOf(message.furigana);
    if (furigana && item.text) item.furigana = furigana;
    var attachment = message.attachment;
    if (attachment && attachment.type === 'image' && attachment.payload) {
      var src = safeHttpUrl(attachment.payload.src || '');
      if (src) item.image = src;
    }
    this.setWaiting(false);
    if (this.statusText === TEXT.noReply) this.setStatus(null);
    if (!item.text && !item.buttons && !item.image) return; // nothing we can show
    // A reply to the customer's answer that does not ask for the code again ends the code step (the
    // bot's code question comes right after its marker, so a re-asked code step starts again at once).
    if (this.state.codeStep && this.state.codeStep.answered) this.endCodeStep();
    this.append(item);
    this.announce(item);
  };

  Chat.prototype.append = function (item) {
    item.time = Date.now();
    this.state.messages.push(item);
    this.save();
    this.dom.log.appendChild(this.renderMessage(item, this.state.messages.length - 1));
    this.scrollToEnd();
  };

  /** Buttons stay usable only until the customer answers; then they are disabled for good. */
  Chat.prototype.retireButtons = function () {
    var changed = false;
    this.state.messages.forEach(function (m) {
      if (m.buttons && !m.answered) { m.answered = true; changed = true; }
    });
    if (!changed) return;
    var buttons = this.dom.log.querySelectorAll('.ocn-chat-choice');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
  };

  Chat.prototype.renderAll = function () {
    var log = this.dom.log;
    while (log.firstChild) log.removeChild(log.firstChild);
    this.clearAnnouncer(); // the history is shown, never read out again
    for (var i = 0; i < this.state.messages.length; i++) {
      log.appendChild(this.renderMessage(this.state.messages[i], i));
    }
    this.scrollToEnd();
  };

  Chat.prototype.renderMessage = function (item, index) {
    var self = this;
    var fromBot = item.from === 'bot' || item.from === 'operator';
    var row = el('div', 'ocn-chat-msg ' + (fromBot ? 'ocn-chat-msg--bot' : 'ocn-chat-msg--user') +
      (item.from === 'operator' ? ' ocn-chat-msg--operator' : ''));
    var who = el('span', 'ocn-chat-sr');
    who.textContent = (item.from === 'operator' ? TEXT.operator : fromBot ? TEXT.bot : TEXT.you) + '：';
    var text = item.id && Object.prototype.hasOwnProperty.call(this.typed, item.id) ? this.typed[item.id] : item.text;
    if (text) {
      var bubble = el('div', 'ocn-chat-bubble');
      bubble.appendChild(who);
      if (fromBot) appendBotText(bubble, item, text);
      else bubble.appendChild(document.createTextNode(text));
      row.appendChild(bubble);
    }
    if (item.image) {
      var img = el('img', 'ocn-chat-image', { src: item.image, alt: '' });
      row.appendChild(img);
    }
    if (item.buttons) {
      var group = el('div', 'ocn-chat-choices', { role: 'group', 'aria-label': TEXT.choices });
      item.buttons.forEach(function (b) {
        var button = el('button', 'ocn-chat-choice', { type: 'button' });
        setChoiceLabel(button, b);
        if (item.chosen === b.title) button.classList.add('ocn-chat-choice--chosen');
        button.disabled = !!item.answered;
        button.addEventListener('click', function () {
          if (item.answered) return;
          item.chosen = b.title;
          button.classList.add('ocn-chat-choice--chosen');
          var hadFocus = document.activeElement === button;
          self.send(b.payload, b.title);
          if (hadFocus) self.focusInput(); // the button is disabled now: keyboard focus must not fall to the page
        });
        group.appendChild(button);
      });
      row.appendChild(group);
    }
    row.setAttribute('data-index', String(index));
    return row;
  };

  Chat.prototype.setWaiting = function (waiting) {
    var self = this;
    this.waiting = waiting;
    this.dom.typing.hidden = !waiting;
    this.dom.root.classList.toggle('ocn-chat--waiting', waiting);
    clearTimeout(this.replyTimer);
    if (waiting) {
      this.replyTimer = setTimeout(function () {
        self.setWaiting(false);
        self.setStatus(TEXT.noReply);
      }, this.config.replyTimeoutSeconds * 1000);
      this.scrollToEnd();
    }
  };

  Chat.prototype.setStatus = function (text) {
    this.statusText = text || null;
    this.dom.status.hidden = !text;
    this.dom.status.textContent = text || '';
  };

  Chat.prototype.scrollToEnd = function () {
    var body = this.dom.body;
    body.scrollTop = body.scrollHeight;
  };

  Chat.prototype.autosize = function () {
    var input = this.dom.input;
    if (this.dom.panel.hidden) return; // nothing to measure while closed
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 2, 120) + 'px';
    input.classList.toggle('ocn-chat-input--scroll', input.scrollHeight + 2 > 120);
  };

  Chat.prototype.focusInput = function () { this.dom.input.focus(); };

  // ---- text size (older customers): 標準 / 大 / 特大, remembered in localStorage -------------

  Chat.prototype.buildTextSizeBar = function () {
    var self = this;
    var bar = el('div', 'ocn-chat-tools', { role: 'group', 'aria-labelledby': 'ocn-chat-text-size' });
    var label = el('span', 'ocn-chat-tools-label', { id: 'ocn-chat-text-size' });
    label.textContent = TEXT.textSize;
    bar.appendChild(label);
    this.dom.sizeButtons = TEXT_SIZES.map(function (size) {
      var button = el('button', 'ocn-chat-size', { type: 'button', 'aria-pressed': 'false', 'data-size': size.key });
      button.textContent = size.label;
      button.addEventListener('click', function () { self.setTextSize(size.key); });
      bar.appendChild(button);
      return button;
    });
    return bar;
  };

  Chat.prototype.applyTextSize = function (key) {
    var size = TEXT_SIZES.filter(function (s) { return s.key === key; })[0] || TEXT_SIZES[0];
    this.textSize = size.key;
    this.dom.root.style.setProperty('--ocn-chat-scale', String(size.scale));
    this.dom.root.setAttribute('data-text-size', size.key);
    this.dom.sizeButtons.forEach(function (button) {
      button.setAttribute('aria-pressed', button.getAttribute('data-size') === size.key ? 'true' : 'false');
    });
    this.autosize();
    this.scrollToEnd();
  };

  Chat.prototype.setTextSize = function (key) {
    this.applyTextSize(key);
    this.prefs.save({ textSize: this.textSize });
  };

  // ---- the one-time code step: input for the code, time left, a new code -------------------
  // The bot's marker (actions/code_step.py) gives the seconds the code has left; the bar counts them
  // down, offers a new code from codeWarnSeconds before the end and after it, and says so once.

  Chat.prototype.buildCodeLabel = function () {
    var label = el('label', 'ocn-chat-code-label', { for: 'ocn-chat-input' });
    label.textContent = TEXT.codeLabel;
    label.hidden = true;
    this.dom.codeLabel = label;
    return label;
  };

  Chat.prototype.buildCodeBar = function () {
    var self = this;
    var bar = el('div', 'ocn-chat-codebar');
    bar.hidden = true;
    var text = el('span', 'ocn-chat-codebar-text');
    var button = el('button', 'ocn-chat-newcode', { type: 'button' });
    button.textContent = TEXT.newCode;
    button.hidden = true;
    button.addEventListener('click', function () { self.requestNewCode(); });
    bar.appendChild(text);
    bar.appendChild(button);
    this.dom.codeBar = bar;
    this.dom.codeBarText = text;
    this.dom.newCode = button;
    return bar;
  };

  Chat.prototype.startCodeStep = function (expiresIn) {
    var seconds = Number(expiresIn);
    if (!isFinite(seconds) || seconds < 0) return;
    this.state.codeStep = { deadline: Date.now() + seconds * 1000, answered: false, warned: false, expired: false };
    this.save();
    this.showCodeStep();
  };

  Chat.prototype.endCodeStep = function () {
    if (!this.state.codeStep) return;
    delete this.state.codeStep;
    this.save();
    this.showCodeStep();
  };

  /** Puts the input, its label and the time-left bar in the state's mode (code step or not). */
  Chat.prototype.showCodeStep = function () {
    var self = this;
    var step = this.state.codeStep;
    var input = this.dom.input;
    clearInterval(this.codeTimer);
    this.codeTimer = null;
    this.dom.codeBar.hidden = !step;
    this.dom.codeLabel.hidden = !step;
    this.dom.root.classList.toggle('ocn-chat--code', !!step);
    if (!step) {
      input.setAttribute('aria-label', TEXT.inputLabel);
      input.setAttribute('autocomplete', 'off');
      input.removeAttribute('inputmode');
      input.placeholder = this.config.placeholder;
      return;
    }
    // Paste stays allowed (WCAG 2.2 3.3.8); full-width digits and spaces are read by the bot
    // (ocn_ids/parse.py one_time_code), so the box takes the code however it is typed.
    input.removeAttribute('aria-label'); // the visible label names it
    input.setAttribute('inputmode', 'numeric');
    input.setAttribute('autocomplete', 'one-time-code');
    input.placeholder = TEXT.codePlaceholder;
    this.tickCodeStep();
    this.codeTimer = setInterval(function () { self.tickCodeStep(); }, 1000);
  };

  Chat.prototype.tickCodeStep = function () {
    var step = this.state.codeStep;
    if (!step) return;
    var left = Math.max(0, Math.ceil((step.deadline - Date.now()) / 1000));
    var warn = left > 0 && left <= this.config.codeWarnSeconds;
    this.dom.codeBar.classList.toggle('ocn-chat-codebar--warn', warn);
    this.dom.codeBar.classList.toggle('ocn-chat-codebar--expired', left === 0);
    this.dom.newCode.hidden = !(warn || left === 0);
    if (left === 0) {
      this.dom.codeBarText.textContent = TEXT.codeExpired;
      clearInterval(this.codeTimer);
      this.codeTimer = null;
      if (!step.expired) {
        step.expired = true;
        this.save();
        this.announceText(TEXT.codeExpired + TEXT.newCodeHint);
      }
      return;
    }
    this.dom.codeBarText.textContent = TEXT.codeLeft + durationText(left);
    if (warn && !step.warned) {
      step.warned = true;
      this.save();
      this.announceText(TEXT.codeWarn + durationText(left) + 'です。' + TEXT.newCodeHint);
    }
  };

  function durationText(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return (m ? m + TEXT.minutes : '') + (m && !s ? '' : s + TEXT.seconds);
  }

  /** 「新しいコードを送る」: the same request as the bot's own resend button. */
  Chat.prototype.requestNewCode = function () {
    this.send(RESEND_PAYLOAD, TEXT.newCode);
    this.focusInput();
  };

  // ---- announcements: each new message is read out once ------------------------------------

  Chat.prototype.buildAnnouncer = function () {
    var announcer = el('div', 'ocn-chat-sr ocn-chat-announcer', { 'aria-live': 'polite', 'aria-relevant': 'additions' });
    this.dom.announcer = announcer;
    return announcer;
  };

  Chat.prototype.announce = function (item) {
    var who = item.from === 'operator' ? TEXT.operator : TEXT.bot;
    var text = who + '：' + (item.text || '');
    if (item.buttons) text += ' ' + TEXT.choices + '：' + item.buttons.map(function (b) { return b.title; }).join('、');
    this.announceText(text);
  };

  Chat.prototype.announceText = function (text) {
    var announcer = this.dom.announcer;
    var line = el('p', 'ocn-chat-announcement');
    line.textContent = text;
    announcer.appendChild(line);
    while (announcer.childNodes.length > 3) announcer.removeChild(announcer.firstChild); // removals are not read
  };

  Chat.prototype.clearAnnouncer = function () {
    var announcer = this.dom.announcer;
    while (announcer.firstChild) announcer.removeChild(announcer.firstChild);
  };

  Chat.prototype.open = function () { this.setOpen(true, true); };
  /** For the host page's sign-out: end the conversation (token revoked), close the panel. */
  Chat.prototype.signOut = function () { this.endSession(false); };
  Chat.prototype.close = function () { this.setOpen(false, true); };

  global.OCNChat = {
    init: function (options) { return new Chat(options); },
    resolveSocketUrl: resolveSocketUrl,
    version: '1.0.0'
  };
})(window);
