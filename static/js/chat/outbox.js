// Messages typed but not yet acknowledged. They wait in localStorage (per member and
// channel, in memory when storage is off) until the server acknowledges them, and go oldest
// first, one at a time (server ids follow that order), only while connected. A message
// without an answer is sent again with the SAME client_id: the server dedupes.

import { t } from "../i18n.js";
import { socket } from "../realtime.js";

const ACK_TIMEOUT = 5000;
const ERROR_CODES = ["invalid", "not_found", "forbidden", "too_long", "rate_limited"];
export const errorText = (code) => (ERROR_CODES.includes(code) ? t(`chat.error.${code}`) : "");

export function createOutbox(userId, channelId) {
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
}

// Sends the outbox. `refused(item, ack)`: the server said no (too long, not allowed…).
export function createSender({ channelId, outbox, messages, view, refused }) {
  let flushing = false;
  let retryTimer = null;
  let rateDelay = 0;
  function retryLater(delay) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, delay);
  }

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
          view.clearStatus("error");
          outbox.remove(item.client_id);
          messages.insert([ack.message]); // rendered by the server for its author
          const stale = view.byClientId(item.client_id); // e.g. the ack names another channel
          if (stale?.classList.contains("is-pending")) stale.remove();
        } else if (ack?.error === "rate_limited") {
          rateDelay = Math.min(rateDelay ? rateDelay * 2 : 4000, 30000);
          view.showStatus(errorText("rate_limited"), "error");
          retryLater(rateDelay);
          return;
        } else {
          outbox.remove(item.client_id);
          view.byClientId(item.client_id)?.remove();
          refused(item, ack);
        }
      }
    } finally {
      flushing = false;
    }
  }

  return { flush };
}
