// gigbot playground page: one chat per demo person, live from /api/stream (server-sent events).
// Everything the bot or a person wrote is put into the page with textContent, never as HTML.
"use strict";

const state = { bot: null, people: [], chats: {}, current: null, unread: {}, replyTo: {} };
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// ---- formatted text from Telegram entities (offsets in UTF-16 units, as JS strings) ----------

function wrap(node, entity, piece) {
  const tags = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
                 pre: "pre" };
  let outer;
  if (tags[entity.type]) {
    outer = document.createElement(tags[entity.type]);
  } else if (entity.type === "spoiler") {
    outer = el("span", "spoiler");
    outer.addEventListener("click", () => outer.classList.add("shown"));
  } else if (entity.type === "blockquote" || entity.type === "expandable_blockquote") {
    outer = el("span", "quote");
  } else if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.type === "url" ? piece : entity.url;
    if (!/^https?:\/\//i.test(href || "")) return node;
    outer = document.createElement("a");
    outer.href = href;
    outer.target = "_blank";
    outer.rel = "noopener noreferrer";
  } else {
    return node;
  }
  outer.append(node);
  return outer;
}

function rich(text, entities) {
  const frag = document.createDocumentFragment();
  const list = (entities || []).filter((e) => e.length > 0);
  const cuts = new Set([0, text.length]);
  for (const e of list) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    const piece = text.slice(a, b);
    let node = document.createTextNode(piece);
    for (const e of list) {
      if (e.offset <= a && e.offset + e.length >= b) node = wrap(node, e, piece);
    }
    frag.append(node);
  }
  return frag;
}

// ---- drawing ---------------------------------------------------------------------------------

function clock(date) {
  const d = new Date(date * 1000);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function findItem(userId, id) {
  return (state.chats[userId] || []).find((item) => item.id === id);
}

function bubble(item) {
  const row = el("div", "row " + (item.from === "bot" ? "bot" : "user"));
  row.dataset.id = String(item.id);
  const msg = el("div", "msg");
  msg.dataset.id = String(item.id);
  msg.dataset.kind = item.kind;
  if (item.reply_to) {
    const quoted = findItem(state.current, item.reply_to);
    if (quoted) msg.append(el("span", "quoted", quoted.text || "[" + quoted.kind + "]"));
  }
  if (item.file && item.kind === "photo") {
    const img = document.createElement("img");
    img.src = item.file;
    img.alt = "photo";
    msg.append(img);
  } else if (item.file && (item.kind === "voice" || item.kind === "audio")) {
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "metadata";
    audio.src = item.file;
    msg.append(audio);
  } else if (item.file) {
    const link = el("a", null, "📎 file");
    link.href = item.file;
    msg.append(link);
  }
  const body = el("span", "text");
  body.append(rich(item.text || "", item.entities));
  msg.append(body);
  msg.append(el("span", "meta", (item.edited ? "edited " : "") + clock(item.date)));
  row.append(msg);
  if (item.buttons && item.buttons.length) {
    const kb = el("div", "kb");
    for (const line of item.buttons) {
      const kbrow = el("div", "kbrow");
      for (const button of line) {
        const b = el("button", null, button.text);
        b.type = "button";
        b.addEventListener("click", () => press(item.id, button.data, b));
        kbrow.append(b);
      }
      kb.append(kbrow);
    }
    row.append(kb);
  }
  return row;
}

function lastBot(userId) {
  const chat = state.chats[userId] || [];
  for (let i = chat.length - 1; i >= 0; i--) if (chat[i].from === "bot") return chat[i];
  return null;
}

function drawPeople() {
  const nav = $("people");
  nav.replaceChildren();
  for (const person of state.people) {
    const b = el("button", "person", person.name);
    b.type = "button";
    b.dataset.id = String(person.id);
    b.dataset.name = person.name;
    b.setAttribute("aria-pressed", String(person.id === state.current));
    b.append(el("span", "role", person.role === "admin" ? "admin" : person.language));
    const unread = state.unread[person.id] || 0;
    if (unread) b.append(el("span", "badge", String(unread)));
    b.addEventListener("click", () => switchTo(person.id));
    nav.append(b);
  }
}

function drawChat() {
  const chat = $("chat");
  const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  chat.replaceChildren(...(state.chats[state.current] || []).map(bubble));
  if (nearBottom || state.scrollDown) chat.scrollTop = chat.scrollHeight;
  state.scrollDown = false;
  drawReply();
  drawReplyKeyboard();
}

function drawReply() {
  const id = state.replyTo[state.current];
  const item = id ? findItem(state.current, id) : null;
  $("replybar").hidden = !item;
  $("replysnippet").textContent = item ? (item.text || "[" + item.kind + "]").slice(0, 80) : "";
  $("text").placeholder = item ? "Reply…" : "Message";
}

function drawReplyKeyboard() {
  const last = lastBot(state.current);
  const box = $("replykb");
  box.replaceChildren();
  const rows = last && last.keyboard ? last.keyboard : [];
  box.hidden = !rows.length;
  for (const line of rows) {
    const kbrow = el("div", "kbrow");
    for (const caption of line) {
      const b = el("button", null, caption);
      b.type = "button";
      b.addEventListener("click", () => send(caption, null));
      kbrow.append(b);
    }
    box.append(kbrow);
  }
}

function drawMenu() {
  const person = state.people.find((p) => p.id === state.current);
  const menu = $("menu");
  menu.replaceChildren();
  for (const c of person ? person.commands : []) {
    const b = el("button");
    b.type = "button";
    b.append(el("span", "cmd", "/" + c.command), el("span", "desc", c.description));
    b.addEventListener("click", () => { menu.hidden = true; send("/" + c.command, null); });
    menu.append(b);
  }
}

function switchTo(id) {
  state.current = id;
  state.unread[id] = 0;
  state.scrollDown = true;
  $("menu").hidden = true;
  drawPeople();
  drawMenu();
  drawChat();
}

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 2600);
}

function alertBox(text) {
  $("alerttext").textContent = text;
  $("alert").hidden = false;
}

let limitTimer = null;
function showLimit(data) {
  const box = $("limit");
  const who = state.people.find((p) => p.id === data.user);
  box.textContent = "Telegram answered 429 Too Many Requests to " + data.method +
    (who ? " for " + who.name : "") + ": the bot pauses " + (data.retry_after || "?") +
    " s and sends again (flood limits: 30 messages a second, about 1 a second per chat).";
  box.hidden = false;
  clearTimeout(limitTimer);
  limitTimer = setTimeout(() => { box.hidden = true; }, Math.max(3, data.retry_after || 1) * 1000);
}

// ---- talking to the page's server ------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

async function press(messageId, data, button) {
  const user = state.current;
  button.disabled = true;
  try {
    const answer = await post("/api/press", { user, message_id: messageId, data });
    if (answer.text) (answer.show_alert ? alertBox : toast)(answer.text);
  } catch (error) {
    toast("⚠ " + error.message);
  } finally {
    button.disabled = false;
  }
}

async function send(text, replyTo) {
  const user = state.current;
  try {
    await post("/api/send", { user, text, reply_to: replyTo });
    // the bot may already have asked the next question with a new ForceReply: keep that one
    if (state.replyTo[user] === replyTo) state.replyTo[user] = null;
    state.scrollDown = true;
    drawReply();
    return true;
  } catch (error) {
    toast("⚠ " + error.message);
    return false;
  }
}

function upsert(userId, item) {
  const chat = state.chats[userId] || (state.chats[userId] = []);
  const at = chat.findIndex((x) => x.id === item.id);
  const isNew = at < 0;
  if (isNew) {
    chat.push(item);
    chat.sort((a, b) => a.id - b.id);
  } else {
    chat[at] = item;
  }
  if (item.from === "bot" && item.force_reply) state.replyTo[userId] = item.id;
  if (userId === state.current) {
    if (isNew) state.scrollDown = true;
    drawChat();
    const node = document.querySelector('.msg[data-id="' + item.id + '"]');
    if (node && !isNew) node.classList.add("flash");
  } else if (isNew && item.from === "bot") {
    state.unread[userId] = (state.unread[userId] || 0) + 1;
    drawPeople();
  }
}

function connect() {
  const events = new EventSource("/api/stream");
  events.addEventListener("hello", (e) => {
    const data = JSON.parse(e.data);
    state.bot = data.bot;
    state.people = data.people;
    state.chats = {};
    for (const [id, items] of Object.entries(data.chats)) state.chats[Number(id)] = items;
    if (!state.people.some((p) => p.id === state.current)) state.current = state.people[0].id;
    $("bot-name").textContent = data.bot.name;
    $("status").textContent = "bot · @" + data.bot.username;
    document.body.dataset.ready = "1";
    switchTo(state.current);
  });
  events.addEventListener("people", (e) => {
    state.people = JSON.parse(e.data).people;
    drawPeople();
    drawMenu();
  });
  events.addEventListener("message", (e) => {
    const data = JSON.parse(e.data);
    upsert(data.user, data.item);
  });
  events.addEventListener("delete", (e) => {
    const data = JSON.parse(e.data);
    const chat = state.chats[data.user] || [];
    state.chats[data.user] = chat.filter((x) => x.id !== data.message_id);
    if (state.replyTo[data.user] === data.message_id) state.replyTo[data.user] = null;
    if (data.user === state.current) drawChat();
  });
  events.addEventListener("limit", (e) => showLimit(JSON.parse(e.data)));
  events.onerror = () => { $("status").textContent = "reconnecting…"; };
  events.onopen = () => { $("status").textContent = "bot"; };
}

function setup() {
  const text = $("text");
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = text.value;
    if (!value.trim()) return;
    if (await send(value, state.replyTo[state.current] || null)) text.value = "";
  });
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("menubtn").addEventListener("click", () => { $("menu").hidden = !$("menu").hidden; });
  $("replycancel").addEventListener("click", () => {
    state.replyTo[state.current] = null;
    drawReply();
  });
  $("alertok").addEventListener("click", () => { $("alert").hidden = true; });
  connect();
}

document.addEventListener("DOMContentLoaded", setup);
