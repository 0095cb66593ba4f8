// Web chat: posts to /channels/web/messages, shows replies and buttons, polls for later ones.
// Messages are read by cursor (after=<the last id shown>): a lost response or a second tab
// loses nothing, and an id already shown is never shown twice.
(function () {
  "use strict";
  const main = document.querySelector(".chat");
  const language = main.dataset.language;
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const offline = document.getElementById("offline");
  const key = "firstcall.conversation";
  const cursorKey = "firstcall.cursor";
  let conversationId = sessionStorage.getItem(key);
  let cursor = Number(sessionStorage.getItem(cursorKey) || 0);
  const shown = new Set();
  let languageSent = false; // the page's language goes with the first message after loading

  function add(text, who, buttons) {
    const li = document.createElement("li");
    li.className = "msg " + who;
    li.textContent = text;
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      buttons.forEach(function (b) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(btn);
      });
      li.appendChild(row);
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function show(reply) {
    if (reply.conversation_id && reply.conversation_id !== conversationId) {
      conversationId = reply.conversation_id;
      sessionStorage.setItem(key, conversationId);
    }
    (reply.messages || [])
      .slice()
      .sort(function (a, b) { return (a.id || 0) - (b.id || 0); })
      .forEach(function (m) {
        if (m.id !== undefined) {
          if (shown.has(m.id)) return; // a poll and a post may both bring it
          shown.add(m.id);
          if (m.id > cursor) {
            cursor = m.id;
            sessionStorage.setItem(cursorKey, String(cursor));
          }
        }
        add(m.text, "bot", m.buttons);
      });
  }

  async function send(text, shownText) {
    add(shownText || text, "me");
    const body = { text: text };
    if (!languageSent) { body.language = language; languageSent = true; }
    if (conversationId) { body.conversation_id = conversationId; body.after = cursor; }
    try {
      const res = await fetch("/channels/web/messages", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(res.status);
      offline.hidden = true;
      show(await res.json());
    } catch (e) {
      offline.hidden = false;
    }
  }

  async function poll() {
    if (!conversationId) return;
    try {
      const url = "/channels/web/messages?conversation_id=" + encodeURIComponent(conversationId) +
        "&after=" + encodeURIComponent(String(cursor));
      const res = await fetch(url);
      if (res.ok) { offline.hidden = true; show(await res.json()); }
    } catch (e) { offline.hidden = false; }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  setInterval(poll, 3000);
})();
