// Start the chat widget with the settings from config.js (window.OCN_CHAT).
window.ocnChat = window.OCNChat.init(window.OCN_CHAT || {});
