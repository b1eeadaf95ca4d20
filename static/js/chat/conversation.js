// A live conversation (templates/chat/channel.html, `#chat`): puts the parts together and
// runs the connection's life cycle. After every (re)connection: `chat:join`, catch up,
// then send what waits in the outbox.

import { t } from "../i18n.js";
import { socket } from "../realtime.js";
import { composer } from "./composer.js";
import { createHistory } from "./history.js";
import { createMessages } from "./messages.js";
import { createOutbox, createSender, errorText } from "./outbox.js";
import { createReading } from "./reading.js";
import { createTyping } from "./typing.js";
import { createView, idOf } from "./view.js";

const ACK_TIMEOUT = 5000;
const NEAR_TOP = 200;      // px: time to load older messages
const RETRY_AFTER = 3000;

export function conversation(root, list) {
  const channelId = Number(root.dataset.channelId);
  const userId = Number(root.dataset.userId || document.body.dataset.userId);
  const form = document.getElementById("chat-composer");
  const olderLink = root.querySelector('a[href*="avant="]'); // "Messages plus anciens"
  // An older page (?avant=…) catches up too, so the list has no hole, but stays where the
  // reader asked to be.
  const olderPage = new URLSearchParams(location.search).has("avant");

  const view = createView(root, list, form);
  const outbox = createOutbox(userId, channelId);
  const reading = createReading({ channelId, view, readUpTo: Number(root.dataset.lastReadId) || 0 });
  const typing = createTyping({ channelId, userId, line: document.getElementById("chat-typing") });
  let history = null;
  const messages = createMessages(view, {
    channelId,
    userId,
    olderPages: () => history.olderPages(),
    onPendingDone: (clientId) => outbox.remove(clientId),
    onAdded: () => reading.schedule(),
  });
  history = createHistory({ channelId, view, messages, olderLink, keepPosition: olderPage });

  let wentOffline = false; // no "offline" notice before a first failure
  function offlineNotice() {
    if (socket.connected) view.clearStatus("offline");
    else if (wentOffline && view.statusKind() !== "error") view.showStatus(t("chat.offline"), "offline");
  }
  let compose = null;
  const sender = createSender({
    channelId, outbox, messages, view, refused: (item, ack) => compose.refused(item, ack),
  });
  compose = composer({
    form, messageMax: Number(root.dataset.messageMax) || 0, view, outbox, messages, typing,
    send: sender.flush, offlineNotice,
  });

  // Left from an earlier visit (tab closed, reloaded offline): pending again, unless the
  // page already has it (the server stored it; only the ack was lost).
  for (const item of outbox.items()) {
    const shown = view.byClientId(item.client_id);
    if (shown && !shown.classList.contains("is-pending")) outbox.remove(item.client_id);
    else if (!shown) messages.addPending(item);
  }

  // Initial position: the message named in the address (#message-12, a notification's
  // link), else the first unread one, else the latest.
  const anchored = location.hash.length > 1
    ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  const start = list.contains(anchored) ? anchored
    : (!view.pendings().length && document.getElementById("chat-first-unread"));
  if (start) list.scrollTop += start.getBoundingClientRect().top - list.getBoundingClientRect().top - 16;
  else view.scrollToBottom();

  view.pill.addEventListener("click", () => {
    view.scrollToBottom();
    compose.textarea?.focus();
  });
  list.addEventListener("scroll", () => {
    if (view.nearBottom()) view.pill.hidden = true;
    if (list.scrollTop < NEAR_TOP) history.loadOlder();
    reading.schedule();
  }, { passive: true });
  olderLink?.addEventListener("click", (event) => {
    if (!socket.connected) return; // the server renders the older page
    event.preventDefault();
    history.loadOlder();
  });

  // Deleting a message: over the socket when connected (no reload), else the form.
  list.addEventListener("submit", async (event) => {
    const deleteForm = event.target;
    const li = deleteForm.closest("li[data-message-id]");
    if (!li || !deleteForm.matches("form[data-chat-delete]") || !socket.connected) return;
    event.preventDefault();
    try {
      const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:delete", {
        message_id: idOf(li), reason: deleteForm.elements.reason?.value || "",
      });
      if (ack?.ok) history.changed(idOf(li));
      else view.showStatus(ack?.message || t("chat.error.delete"), "error");
    } catch {
      HTMLFormElement.prototype.submit.call(deleteForm); // no answer: the ordinary way
    }
  });

  // Live events say what changed; the messages themselves come through the history.
  const ours = (event) => event?.channel_id === channelId && Number.isInteger(event.message_id);
  socket.on("chat:message", (event) => {
    if (!ours(event)) return;
    typing.stop(event.author_id);
    history.newMessage();
  });
  socket.on("chat:message_updated", (event) => { if (ours(event)) history.changed(event.message_id); });
  socket.on("chat:message_deleted", (event) => { if (ours(event)) history.changed(event.message_id); });
  socket.on("chat:membership", (event) => {
    if (event?.op !== "left" || event.channel_id !== channelId) return;
    view.showStatus(t("chat.removed"), "error");
    compose.disable();
  });

  let connection = 0; // bumped on every connect and disconnect: stale async work stops
  async function sync() {
    const generation = ++connection;
    offlineNotice();
    try {
      const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:join", { channel_id: channelId });
      if (generation !== connection) return;
      if (!ack?.ok) {
        root.dataset.live = "off";
        view.showStatus(ack?.message || errorText(ack?.error) || t("chat.error.live"), "error");
        return;
      }
      root.dataset.live = "on";
      await history.catchUp();
      if (generation !== connection) return;
    } catch {
      // No answer during the join or the catch-up: try again shortly if still connected
      // (a new connection starts over anyway). The outbox can go meanwhile: the server
      // dedupes and the queue keeps the order.
      window.setTimeout(() => {
        if (generation === connection && socket.connected) sync();
      }, RETRY_AFTER);
    }
    sender.flush();
    reading.schedule();
  }

  const offline = () => {
    connection += 1;
    history.abandon();
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
