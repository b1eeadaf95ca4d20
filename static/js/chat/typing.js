// "… écrit…": `chat:typing` at most every 3 s while the member types (volatile: dropped when
// offline), and the line of who else is typing, each name for 4 s after its last event or
// until their message arrives.

import { t } from "../i18n.js";
import { socket } from "../realtime.js";

const TYPING_EVERY = 3000; // the server broadcasts at most one chat:typing per 3 s
const TYPING_SHOWN = 4000;

export function createTyping({ channelId, userId, line }) {
  let lastSent = 0;
  const typists = new Map(); // user id -> { name, timer }

  function render() {
    if (!line) return;
    const names = [...typists.values()].map((typist) => typist.name);
    const last = names.length > 3 ? t("chat.typing.others", { count: names.length - 2 }) : names.at(-1);
    const first = names.slice(0, names.length > 3 ? 2 : -1).join(", ");
    line.textContent = !names.length ? ""
      : names.length === 1 ? t("chat.typing.one", { name: names[0] })
        : t("chat.typing.many", { first, last });
  }

  function stop(authorId) {
    if (!typists.has(authorId)) return;
    window.clearTimeout(typists.get(authorId).timer);
    typists.delete(authorId);
    render();
  }

  socket.on("chat:typing", (event) => {
    if (event?.channel_id !== channelId || !event.user || event.user.id === userId) return;
    const authorId = event.user.id;
    window.clearTimeout(typists.get(authorId)?.timer);
    typists.set(authorId, {
      name: event.user.name,
      timer: window.setTimeout(() => stop(authorId), TYPING_SHOWN),
    });
    render();
  });

  return {
    stop,
    // The member typed `text` into the composer.
    typed(text) {
      const now = Date.now();
      if (!text.trim() || now - lastSent < TYPING_EVERY || !socket.connected) return;
      lastSent = now;
      socket.volatile.emit("chat:typing", { channel_id: channelId });
    },
    sent() { lastSent = 0; },
  };
}
