// Chat: the channel list and a live conversation (templates/chat/index.html, channel.html).
//
// The pages work without JavaScript (the composer posts, "Messages plus anciens" is a
// link). This module, loaded as an ES module by the chat pages, makes them live over the
// shared Socket.IO connection, following docs/realtime.md ("### Chat"):
//
// - sending: every message gets a client_id (crypto.randomUUID) and is shown at once as
//   "envoi…"; it sits in a localStorage outbox (per member and channel) until the server
//   acknowledges it, and is sent again with the SAME client_id after a timeout or a
//   reconnection (the server dedupes). The composer works offline: messages queue and go,
//   in order, one at a time, when the connection is back;
// - receiving: chat:message / _updated / _deleted / typing, inserted by id, never twice
//   (by id or client_id); auto-scroll only when the reader is at the bottom, otherwise a
//   t("chat.new_messages") button;
// - after every (re)connection: chat:join, then chat:history after the last id up to which
//   the list is complete (repeated while has_more), then the outbox;
// - read markers (chat:read when the latest message is on screen in a visible tab),
//   typing (chat:typing at most every 3 s), presence (away after 2 min hidden), scroll
//   back (chat:history before_id at the top of the list), a live filter of the channel list.
// Unread badges are chat-badge.js's (loaded on every page by base.html).
//
// No inline script or style (CSP 'self'): behaviour here, presentation in app.css.
// Message HTML from the server (body_html) is sanitized by app/sanitize.py; what the member
// types is only ever set with textContent.

import { t } from "./i18n.js";
import { socket } from "./realtime.js";
import { renderChannel, renderTotal } from "./chat-badge.js";
import "./mentions.js";

const ACK_TIMEOUT = 5000;
const TYPING_EVERY = 3000;     // the server broadcasts at most one chat:typing per 3 s
const TYPING_SHOWN = 4000;
const AWAY_AFTER = 2 * 60 * 1000;
const NEAR_BOTTOM = 120;       // px: "the reader is at the bottom"
const NEAR_TOP = 200;          // px: time to load older messages
const CATCH_UP_PAGE = 100;     // chat:history limits: the server's maximum to catch up,
const OLDER_PAGE = 50;         // a screenful or two when scrolling back

const ERROR_CODES = ["invalid", "not_found", "forbidden", "too_long", "rate_limited"];
const errorText = (code) => (ERROR_CODES.includes(code) ? t(`chat.error.${code}`) : "");
const PRESENCE = ["online", "away", "offline"];

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Channel list: live filter, channels one has left ---------------------------------------

// "helene" finds "Hélène": compare without accents or case.
const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

document.querySelector("[data-chat-filter]")?.addEventListener("input", (event) => {
  const query = fold(event.target.value);
  for (const link of document.querySelectorAll("#chat-channels [data-channel-link]")) {
    const name = link.querySelector(".chat-channel-name")?.textContent || link.textContent;
    link.closest("li").hidden = Boolean(query) && !fold(name).includes(query);
  }
});

socket.on("chat:membership", (event) => {
  if (event?.op === "left") {
    document.querySelector(`#chat-channels [data-channel-link="${Number(event.channel_id)}"]`)
      ?.closest("li")?.remove();
  }
});

// Presence: the dots of other members, and our own status --------------------------------

socket.on("presence", (event) => {
  if (event?.type !== "presence" || !PRESENCE.includes(event.status)) return;
  for (const dot of document.querySelectorAll(`[data-presence-for="${Number(event.user_id)}"]`)) {
    dot.dataset.status = event.status;
    dot.title = t(`chat.presence.${event.status}`);
    const text = dot.querySelector(".visually-hidden");
    if (text) text.textContent = t(`chat.presence.${event.status}`);
  }
});

// Away after two minutes in a hidden tab, online again when it shows.
let away = false;
let awayTimer = null;
function setPresence(status) {
  away = status === "away";
  if (socket.connected) socket.emit("presence:set", { status });
}
document.addEventListener("visibilitychange", () => {
  window.clearTimeout(awayTimer);
  if (document.visibilityState === "hidden") {
    awayTimer = window.setTimeout(() => setPresence("away"), AWAY_AFTER);
  } else if (away) {
    setPresence("online");
  }
});
if (document.visibilityState === "hidden") {
  awayTimer = window.setTimeout(() => setPresence("away"), AWAY_AFTER);
}
// A new connection starts "online" on the server: say again that we are away.
socket.on("connect", () => { if (away) setPresence("away"); });

// The conversation -----------------------------------------------------------------------

const root = document.getElementById("chat");
const list = document.getElementById("chat-messages");
if (root && list) conversation(root, list);

function conversation(root, list) {
  const channelId = Number(root.dataset.channelId);
  const userId = Number(root.dataset.userId || document.body.dataset.userId);
  const messageMax = Number(root.dataset.messageMax) || 0;
  const form = document.getElementById("chat-composer");
  const textarea = form?.querySelector("textarea[name=body]");
  const csrfToken = form?.querySelector("input[name=csrf_token]")?.value;
  const typingLine = document.getElementById("chat-typing");
  const dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || "fr",
    { dateStyle: "short", timeStyle: "short" });
  let connection = 0; // bumped on every connect and disconnect: stale async work stops
  const olderLink = root.querySelector('a[href*="avant="]'); // "Messages plus anciens"
  let noOlder = !olderLink;

  // What this module adds: the "new messages" button under the list, a live region for
  // messages from others, a status line near the composer (the server's, when it rendered
  // an error, else a new one).
  const pill = element("button", "chat-new-pill", t("chat.new_messages"));
  pill.type = "button";
  pill.hidden = true;
  const announcer = element("p", "visually-hidden");
  announcer.setAttribute("aria-live", "polite");
  list.after(pill, announcer);
  let status = root.querySelector(".chat-status");
  if (!status) {
    status = element("p", "chat-status");
    status.setAttribute("role", "status");
    status.hidden = true;
    (form || list).after(status);
  }
  // Only `announcer` speaks (new messages from others), never history or catch-up.
  list.setAttribute("aria-live", "off");
  if (!list.hasAttribute("tabindex")) list.tabIndex = 0; // a scroll region: keyboard reachable

  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM;
  function scrollToBottom() {
    list.scrollTop = list.scrollHeight;
    pill.hidden = true;
  }

  function showStatus(text, kind = "info") {
    const follow = nearBottom(); // the list gets shorter or taller: keep the latest in view
    status.textContent = text;
    status.dataset.kind = kind;
    status.hidden = !text;
    if (follow) list.scrollTop = list.scrollHeight;
  }
  const clearStatus = (kind) => { if (status.dataset.kind === kind) showStatus(""); };

  // Messages in the list -----------------------------------------------------------------

  const idOf = (li) => Number(li.dataset.messageId);
  const confirmed = () => [...list.querySelectorAll(":scope > li[data-message-id]")];
  const pendings = () => [...list.querySelectorAll(":scope > li.is-pending")];
  const highestId = () => Math.max(0, ...confirmed().map(idOf));
  const byClientId = (clientId) => clientId
    ? list.querySelector(`:scope > li[data-client-id="${CSS.escape(clientId)}"]`) : null;
  const removeEmpty = () => list.querySelector(":scope > [data-chat-empty]")?.remove();

  function setBody(li, message) {
    const body = li.querySelector(".chat-message-body") || li.appendChild(element("div", "chat-message-body"));
    if (message.deleted) {
      li.classList.add("is-deleted");
      body.replaceChildren(element("p", "chat-deleted", t("chat.deleted")));
      li.querySelector(".chat-message-actions")?.remove();
      li.querySelector(".chat-edited")?.remove();
      return;
    }
    body.innerHTML = message.body_html; // sanitized by the server
    if (message.edited_at && !li.querySelector(".chat-edited")) {
      const mark = element("span", "chat-edited", t("chat.edited"));
      mark.title = t("chat.edited_on", { date: dateFormat.format(new Date(message.edited_at)) });
      li.querySelector(".chat-message-meta")?.append(" ", mark);
    }
  }

  // The same markup as templates/chat/_message.html.
  function renderMessage(message) {
    const li = element("li", "chat-message");
    li.id = `message-${message.id}`;
    li.dataset.messageId = String(message.id);
    li.dataset.clientId = message.client_id || "";
    li.dataset.authorId = String(message.author?.id ?? "");
    const mine = message.author?.id === userId;
    li.classList.toggle("is-mine", mine);
    const author = element("a", "chat-author", message.author?.name || "");
    author.href = `/membres/${Number(message.author?.id)}`;
    const time = element("time", "", dateFormat.format(new Date(message.created_at)));
    time.dateTime = message.created_at;
    const meta = element("p", "chat-message-meta");
    meta.append(author, " ", time);
    li.append(meta);
    setBody(li, message);
    if (mine && !message.deleted && csrfToken) li.append(ownActions(message.id));
    return li;
  }

  // "Modifier" and "Supprimer" under one's own message, as the server renders them.
  function ownActions(messageId) {
    const actions = element("div", "chat-message-actions item-actions");
    const edit = element("a", "", t("chat.edit"));
    edit.href = `/chat/messages/${messageId}/modifier`;
    const menu = element("details", "menu");
    const panel = element("div", "menu-panel");
    const deleteForm = element("form", "stack-form");
    deleteForm.method = "post";
    deleteForm.action = `/chat/messages/${messageId}/supprimer`;
    const token = element("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = csrfToken;
    const confirm = element("button", "button-small danger", t("chat.delete_confirm"));
    confirm.type = "submit";
    deleteForm.append(token,
      element("p", "", t("chat.delete_question")), confirm);
    panel.append(deleteForm);
    menu.append(element("summary", "", t("chat.delete")), panel);
    actions.append(edit, menu);
    return actions;
  }

  function renderPending(item) {
    const li = element("li", "chat-message is-mine is-pending");
    li.dataset.clientId = item.client_id;
    li.dataset.authorId = String(userId);
    const meta = element("p", "chat-message-meta");
    meta.append(element("span", "chat-author", t("chat.you")), " ", element("span", "chat-sending", t("chat.sending")));
    const body = element("div", "chat-message-body");
    body.append(element("p", "chat-pending-text", item.body));
    li.append(meta, body);
    return li;
  }

  // Put a server message in its place: by id among the confirmed messages, always above the
  // pending ones. One of our pending messages with the same client_id becomes the server's;
  // an id already shown is ignored. Returns the new element, or null.
  function upsert(message) {
    if (message?.channel_id !== channelId || !Number.isInteger(message.id)) return null;
    const pending = message.author?.id === userId ? byClientId(message.client_id) : null;
    if (pending?.classList.contains("is-pending")) {
      pending.remove();
      outbox.remove(message.client_id);
    }
    if (document.getElementById(`message-${message.id}`)) return null;
    const first = confirmed()[0];
    if (first && message.id < idOf(first) && !noOlder) return null; // in the older pages
    const li = renderMessage(message);
    const next = confirmed().find((other) => idOf(other) > message.id) || pendings()[0];
    if (next) next.before(li);
    else list.append(li);
    removeEmpty();
    return li;
  }

  // Insert messages keeping what the reader sees: follow the conversation when at the
  // bottom, otherwise stay put and offer the "new messages" button.
  function insert(messages, { announce = false, live = true, keep = false } = {}) {
    const follow = !keep && nearBottom();
    const added = messages.map(upsert).filter(Boolean);
    if (!added.length) return;
    if (live) for (const li of added) settle(idOf(li));
    if (follow) scrollToBottom();
    else if (added.some((li) => !li.classList.contains("is-mine"))) pill.hidden = false;
    const fromOthers = added.filter((li) => !li.classList.contains("is-mine"));
    if (announce && fromOthers.length) {
      const text = fromOthers.map((li) => `${li.querySelector(".chat-author").textContent} : ${
        li.querySelector(".chat-message-body").textContent.trim()}`).join(" ; ");
      announcer.textContent = "";
      window.setTimeout(() => { announcer.textContent = text; }, 50); // announced even if repeated
    }
    scheduleRead();
  }

  pill.addEventListener("click", () => {
    scrollToBottom();
    textarea?.focus();
  });

  // Outbox: messages not yet acknowledged, in localStorage ---------------------------------

  const outbox = (() => {
    const key = `chat-outbox:${userId}:${channelId}`;
    let memory = [];
    const read = () => {
      try {
        const items = JSON.parse(window.localStorage.getItem(key) || "[]");
        return Array.isArray(items)
          ? items.filter((i) => typeof i?.client_id === "string" && typeof i.body === "string") : [];
      } catch {
        return memory; // storage disabled (private browsing…): this page keeps them
      }
    };
    const write = (items) => {
      memory = items;
      try {
        if (items.length) window.localStorage.setItem(key, JSON.stringify(items));
        else window.localStorage.removeItem(key);
      } catch { /* memory only */ }
    };
    return {
      items: read,
      add: (item) => write([...read(), item]),
      remove: (clientId) => write(read().filter((i) => i.client_id !== clientId)),
    };
  })();

  // Left from an earlier visit (tab closed, reloaded offline): pending again, unless the
  // page already has it (the server stored it; only the ack was lost).
  for (const item of outbox.items()) {
    const shown = byClientId(item.client_id);
    if (shown && !shown.classList.contains("is-pending")) outbox.remove(item.client_id);
    else if (!shown) list.append(renderPending(item));
  }
  if (pendings().length) removeEmpty();

  // Initial position: the message named in the address (#message-12, a notification's
  // link), else the first unread one, else the latest.
  const anchored = location.hash.length > 1
    ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  const start = list.contains(anchored) ? anchored
    : (!pendings().length && document.getElementById("chat-first-unread"));
  if (start) list.scrollTop += start.getBoundingClientRect().top - list.getBoundingClientRect().top - 16;
  else scrollToBottom();
  // An older page (?avant=…) catches up too, so the list has no hole, but stays where
  // the reader asked to be.
  const olderPage = new URLSearchParams(location.search).has("avant");

  // Sending ------------------------------------------------------------------------------

  function newClientId() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    // Plain-HTTP origins other than localhost have no randomUUID.
    return [...window.crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  let wentOffline = false; // no "offline" notice before a first failure
  function offlineNotice() {
    if (socket.connected) clearStatus("offline");
    else if (wentOffline && status.dataset.kind !== "error") {
      showStatus(t("chat.offline"), "offline");
    }
  }

  let flushing = false;
  let retryTimer = null;
  let rateDelay = 0;
  function retryLater(delay) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, delay);
  }

  // Send the outbox, oldest first, one message at a time (server ids follow that order).
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (let item = outbox.items()[0]; item && socket.connected; item = outbox.items()[0]) {
        let ack;
        try {
          ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:send", {
            channel_id: channelId, body: item.body, client_id: item.client_id,
          });
        } catch {
          // No answer: lost on the way, or the connection dropped. It stays pending; the
          // next "connect" sends it again, or a retry in a second if still connected.
          if (socket.connected) retryLater(1000);
          return;
        }
        if (ack?.ok) {
          rateDelay = 0;
          clearStatus("error");
          outbox.remove(item.client_id);
          insert([ack.message]);
          const stale = byClientId(item.client_id); // e.g. the ack names another channel
          if (stale?.classList.contains("is-pending")) stale.remove();
        } else if (ack?.error === "rate_limited") {
          rateDelay = Math.min(rateDelay ? rateDelay * 2 : 4000, 30000);
          showStatus(errorText("rate_limited"), "error");
          retryLater(rateDelay);
          return;
        } else {
          refuse(item, ack);
        }
      }
    } finally {
      flushing = false;
    }
  }

  // The server said no (too long, not allowed…): nothing is lost, the text goes back into
  // the composer and the reason is shown next to it.
  function refuse(item, ack) {
    outbox.remove(item.client_id);
    byClientId(item.client_id)?.remove();
    if (textarea) {
      textarea.value = textarea.value.trim() ? `${item.body}\n\n${textarea.value}` : item.body;
    }
    const reason = ack?.message || errorText(ack?.error) || t("chat.error.send");
    showStatus(ack?.error === "too_long" ? `${reason} ${t("chat.shorten")}` : reason, "error");
  }

  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = textarea.value.trim();
    if (!body) return;
    if (messageMax && body.length > messageMax) {
      showStatus(t("chat.over_max", { length: body.length, max: messageMax }), "error");
      return;
    }
    clearStatus("error");
    const item = { client_id: newClientId(), body, created: Date.now() };
    outbox.add(item); // stored before anything is sent
    removeEmpty();
    list.append(renderPending(item));
    scrollToBottom();
    textarea.value = "";
    lastTyping = 0;
    textarea.focus();
    offlineNotice();
    flush();
  });

  // Enter sends, Shift+Enter goes to a new line (not while an IME composes a word, nor
  // while the @mention list is open: there Enter picks a name).
  textarea?.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (textarea.hasAttribute("aria-controls")) return;
    event.preventDefault();
    form.requestSubmit();
  });

  // Deleting one's own message: over the socket when connected (no reload), else the form.
  list.addEventListener("submit", async (event) => {
    const deleteForm = event.target;
    const li = deleteForm.closest("li[data-message-id]");
    if (!li || !/\/supprimer$/.test(new URL(deleteForm.action).pathname) || !socket.connected) return;
    event.preventDefault();
    try {
      const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:delete", {
        message_id: idOf(li), reason: deleteForm.elements.reason?.value || "",
      });
      if (ack?.ok) setBody(li, { deleted: true });
      else showStatus(ack?.message || t("chat.error.delete"), "error");
    } catch {
      HTMLFormElement.prototype.submit.call(deleteForm); // no answer: the ordinary way
    }
  });

  // Typing -------------------------------------------------------------------------------

  let lastTyping = 0;
  textarea?.addEventListener("input", () => {
    clearStatus("error");
    const now = Date.now();
    if (!textarea.value.trim() || now - lastTyping < TYPING_EVERY || !socket.connected) return;
    lastTyping = now;
    socket.volatile.emit("chat:typing", { channel_id: channelId });
  });

  const typists = new Map(); // user id -> { name, timer }
  function renderTyping() {
    if (!typingLine) return;
    const names = [...typists.values()].map((t) => t.name);
    const last = names.length > 3 ? t("chat.typing.others", { count: names.length - 2 }) : names.at(-1);
    const first = names.slice(0, names.length > 3 ? 2 : -1).join(", ");
    typingLine.textContent = !names.length ? ""
      : names.length === 1 ? t("chat.typing.one", { name: names[0] })
        : t("chat.typing.many", { first, last });
  }
  function stopTyping(authorId) {
    if (!typists.has(authorId)) return;
    window.clearTimeout(typists.get(authorId).timer);
    typists.delete(authorId);
    renderTyping();
  }

  socket.on("chat:typing", (event) => {
    if (event?.channel_id !== channelId || !event.user || event.user.id === userId) return;
    const authorId = event.user.id;
    window.clearTimeout(typists.get(authorId)?.timer);
    typists.set(authorId, {
      name: event.user.name,
      timer: window.setTimeout(() => stopTyping(authorId), TYPING_SHOWN),
    });
    renderTyping();
  });

  // Receiving ----------------------------------------------------------------------------

  socket.on("chat:message", (event) => {
    if (event?.message?.channel_id !== channelId) return;
    stopTyping(event.message.author?.id);
    insert([event.message], { announce: true });
  });

  socket.on("chat:message_updated", (event) => {
    const message = event?.message;
    if (message?.channel_id !== channelId) return;
    const li = document.getElementById(`message-${message.id}`);
    if (li) setBody(li, message);
  });

  socket.on("chat:message_deleted", (event) => {
    if (event?.channel_id !== channelId) return;
    const li = document.getElementById(`message-${event.message_id}`);
    if (li) setBody(li, { deleted: true });
  });

  socket.on("chat:membership", (event) => {
    if (event?.op !== "left" || event.channel_id !== channelId) return;
    showStatus(t("chat.removed"), "error");
    for (const field of form?.elements || []) field.disabled = true;
  });

  // History ------------------------------------------------------------------------------

  async function history(query) {
    const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:history", {
      channel_id: channelId, ...query,
    });
    if (!ack?.ok || !Array.isArray(ack.messages)) throw new Error(ack?.error || "history");
    return ack;
  }

  // `synced`: every message up to this id is in the list. The page as rendered is complete
  // up to its last message (ids follow commit order). It moves on with each catch-up page,
  // and with a live message two seconds after it arrived on a connection still up: an ack
  // or a broadcast may overtake the broadcast of a slightly older message, so "the highest
  // id shown" alone could skip that one if the connection dropped right then. Asking from a
  // little too far back only brings messages already shown, which are ignored.
  let synced = highestId();
  function settle(id) {
    const generation = connection;
    window.setTimeout(() => {
      if (generation === connection && socket.connected) synced = Math.max(synced, id);
    }, 2000);
  }

  async function catchUp(generation) {
    for (;;) {
      // Neither id (the channel was empty when the page was rendered): the latest page.
      const ack = await history(synced
        ? { after_id: synced, limit: CATCH_UP_PAGE } : { limit: CATCH_UP_PAGE });
      if (generation !== connection) return;
      insert(ack.messages, { live: false, keep: olderPage });
      const last = ack.messages.at(-1);
      if (!last) return;
      const fromScratch = !synced;
      synced = Math.max(synced, last.id);
      if (!ack.has_more || fromScratch) return;
    }
  }

  let loadingOlder = false;
  async function loadOlder() {
    if (loadingOlder || noOlder || !socket.connected || !confirmed().length) return;
    loadingOlder = true;
    try {
      const ack = await history({ before_id: idOf(confirmed()[0]), limit: OLDER_PAGE });
      const fromBottom = list.scrollHeight - list.scrollTop;
      for (const message of ack.messages) {
        if (message.channel_id !== channelId || document.getElementById(`message-${message.id}`)) continue;
        const next = confirmed().find((other) => idOf(other) > message.id);
        next.before(renderMessage(message));
      }
      list.scrollTop = list.scrollHeight - fromBottom; // the reader stays on the same message
      if (!ack.has_more) {
        noOlder = true;
        (olderLink.closest("p, li") || olderLink).remove();
      } else {
        const url = new URL(olderLink.href);
        url.searchParams.set("avant", String(idOf(confirmed()[0])));
        olderLink.href = url.pathname + url.search;
      }
    } catch {
      // Offline or slow: the link still works, and scrolling up again retries.
    } finally {
      loadingOlder = false;
    }
  }

  olderLink?.addEventListener("click", (event) => {
    if (!socket.connected) return; // the server renders the older page
    event.preventDefault();
    loadOlder();
  });

  // Read marker --------------------------------------------------------------------------

  let readSent = Number(root.dataset.lastReadId) || 0;
  let readTimer = null;

  function latestOnScreen() {
    const last = confirmed().at(-1);
    if (!last || document.visibilityState !== "visible") return false;
    const item = last.getBoundingClientRect();
    const box = list.getBoundingClientRect();
    return item.top < Math.min(box.bottom, window.innerHeight) && item.bottom > Math.max(box.top, 0);
  }

  function scheduleRead() {
    window.clearTimeout(readTimer);
    readTimer = window.setTimeout(markRead, 500);
  }

  async function markRead() {
    const latest = highestId();
    if (latest <= readSent || !socket.connected || !latestOnScreen()) return;
    try {
      const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:read", {
        channel_id: channelId, last_read_id: latest,
      });
      if (!ack?.ok) return;
      readSent = Math.max(readSent, latest);
      renderChannel(channelId, ack.unread);
      renderTotal(ack.total_unread);
    } catch {
      // Sent again on the next scroll, message or reconnection.
    }
  }

  list.addEventListener("scroll", () => {
    if (nearBottom()) pill.hidden = true;
    if (list.scrollTop < NEAR_TOP) loadOlder();
    scheduleRead();
  }, { passive: true });
  window.addEventListener("focus", scheduleRead);
  document.addEventListener("visibilitychange", scheduleRead);

  // (Re)connection: join, catch up, then send what waits --------------------------------

  async function sync() {
    const generation = ++connection;
    offlineNotice();
    try {
      const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:join", { channel_id: channelId });
      if (generation !== connection) return;
      if (!ack?.ok) {
        root.dataset.live = "off";
        showStatus(ack?.message || errorText(ack?.error) || t("chat.error.live"), "error");
        return;
      }
      root.dataset.live = "on";
      await catchUp(generation);
      if (generation !== connection) return;
    } catch {
      // No answer during the join or the catch-up: try again shortly if still connected
      // (a new connection starts over anyway). The outbox can go meanwhile: the server
      // dedupes and the queue keeps the order.
      window.setTimeout(() => {
        if (generation === connection && socket.connected) sync();
      }, 3000);
    }
    flush();
    scheduleRead();
  }

  const offline = () => {
    connection += 1;
    wentOffline = true;
    root.dataset.live = "off";
    offlineNotice();
  };
  socket.on("connect", sync);
  socket.on("disconnect", offline);
  socket.on("connect_error", offline);
  if (socket.connected) sync();
  // Back from the back/forward cache with the same connection: join and catch up again.
  window.addEventListener("pageshow", (event) => { if (event.persisted && socket.connected) sync(); });
}
