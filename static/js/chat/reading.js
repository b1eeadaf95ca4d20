// The read marker: when the latest message is on screen in a visible tab, `chat:read`
// (debounced 0.5 s, only if it moves the marker) with the highest id shown; its ack sets
// this channel's badge and the total.

import { socket } from "../realtime.js";
import { renderChannel, renderTotal } from "../chat-badge.js";

const ACK_TIMEOUT = 5000;

export function createReading({ channelId, view, readUpTo }) {
  let readSent = readUpTo;
  let timer = null;

  function latestOnScreen() {
    const last = view.confirmed().at(-1);
    if (!last || document.visibilityState !== "visible") return false;
    const item = last.getBoundingClientRect();
    const box = view.list.getBoundingClientRect();
    return item.top < Math.min(box.bottom, window.innerHeight) && item.bottom > Math.max(box.top, 0);
  }

  async function markRead() {
    const latest = view.highestId();
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

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(markRead, 500);
  }
  window.addEventListener("focus", schedule);
  document.addEventListener("visibilitychange", schedule);
  return { schedule };
}
