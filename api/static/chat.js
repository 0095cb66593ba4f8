// Web chat: posts to /channels/web/messages, shows replies and buttons, polls for later ones.
(function () {
  "use strict";
  const main = document.querySelector(".chat");
  const language = main.dataset.language;
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const offline = document.getElementById("offline");
  const key = "firstcall.conversation";
  let conversationId = sessionStorage.getItem(key);
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
    if (reply.conversation_id) {
      conversationId = reply.conversation_id;
      sessionStorage.setItem(key, conversationId);
    }
    (reply.messages || []).forEach(function (m) { add(m.text, "bot", m.buttons); });
  }

  async function send(text, shown) {
    add(shown || text, "me");
    const body = { text: text };
    if (!languageSent) { body.language = language; languageSent = true; }
    if (conversationId) body.conversation_id = conversationId;
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
      const res = await fetch("/channels/web/messages?conversation_id=" + encodeURIComponent(conversationId));
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
