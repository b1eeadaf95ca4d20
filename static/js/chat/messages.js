// Putting messages in the list. Every message comes from the server as `html`, rendered by
// templates/chat/_message.html for this member (their links and controls decided there);
// this module only places it, by id. The one element built here is the placeholder of a
// message not yet acknowledged: plain text, no link, no control.

import { t } from "../i18n.js";
import { element, idOf } from "./view.js";

// The server's fragment as an element, or null if it is not one message.
function fromHtml(message) {
  if (typeof message?.html !== "string") return null;
  const template = document.createElement("template");
  template.innerHTML = message.html.trim(); // rendered and sanitized by the server
  const li = template.content.firstElementChild;
  return li?.matches("li.chat-message") && idOf(li) === message.id ? li : null;
}

export function createMessages(view, { channelId, userId, olderPages, onPendingDone, onAdded }) {
  const { list } = view;

  // A server message in its place: by id among the confirmed messages, always above the
  // pending ones. One of our pending messages with the same client_id gives way to it. An
  // id already shown is left alone, or replaced by its new version with `replace` (an
  // edit, a deletion). Returns the element added, or null.
  function upsert(message, { replace = false } = {}) {
    if (message?.channel_id !== channelId || !Number.isInteger(message.id)) return null;
    const pending = message.author?.id === userId ? view.byClientId(message.client_id) : null;
    if (pending?.classList.contains("is-pending")) {
      pending.remove();
      onPendingDone(message.client_id);
    }
    const shown = view.byId(message.id);
    if (shown) {
      const li = replace ? fromHtml(message) : null;
      if (li) shown.replaceWith(li);
      return null;
    }
    const first = view.confirmed()[0];
    if (first && message.id < idOf(first) && olderPages()) return null; // scrolling back
    const li = fromHtml(message);
    if (!li) return null;
    const next = view.confirmed().find((other) => idOf(other) > message.id) || view.pendings()[0];
    if (next) next.before(li);
    else list.append(li);
    view.removeEmpty();
    return li;
  }

  // Insert keeping what the reader sees: follow the conversation when at the bottom,
  // otherwise stay put and offer the "new messages" button. `announce`: read out the
  // messages of others (live ones, not history).
  function insert(messages, { announce = false, keep = false, replace = false } = {}) {
    const follow = !keep && view.nearBottom();
    const added = messages.map((message) => upsert(message, { replace })).filter(Boolean);
    if (!added.length) return;
    const fromOthers = added.filter((li) => !li.classList.contains("is-mine"));
    if (follow) view.scrollToBottom();
    else if (fromOthers.length) view.pill.hidden = false;
    if (announce && fromOthers.length) {
      view.announce(fromOthers.map((li) => `${li.querySelector(".chat-author").textContent} : ${
        li.querySelector(".chat-message-body").textContent.trim()}`).join(" ; "));
    }
    onAdded();
  }

  // Older messages above the first one shown (scrolling back).
  function insertOlder(messages) {
    for (const message of messages) {
      if (message.channel_id !== channelId || view.byId(message.id)) continue;
      const li = fromHtml(message);
      const next = view.confirmed().find((other) => idOf(other) > message.id);
      if (li && next) next.before(li);
    }
  }

  function addPending(item) {
    const li = element("li", "chat-message is-mine is-pending");
    li.dataset.clientId = item.client_id;
    li.dataset.authorId = String(userId);
    const meta = element("p", "chat-message-meta");
    meta.append(element("span", "chat-author", t("chat.you")), " ",
      element("span", "chat-sending", t("chat.sending")));
    const body = element("div", "chat-message-body");
    body.append(element("p", "chat-pending-text", item.body));
    li.append(meta, body);
    view.removeEmpty();
    list.append(li);
    return li;
  }

  return { insert, insertOlder, addPending };
}
