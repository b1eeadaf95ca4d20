// Presence: the dots of other members ([data-presence-for]), and our own status: away
// after two minutes in a hidden tab, online again when it shows.

import { t } from "../i18n.js";
import { socket } from "../realtime.js";

const AWAY_AFTER = 2 * 60 * 1000;
const PRESENCE = ["online", "away", "offline"];

export function presence() {
  socket.on("presence", (event) => {
    if (event?.type !== "presence" || !PRESENCE.includes(event.status)) return;
    for (const dot of document.querySelectorAll(`[data-presence-for="${Number(event.user_id)}"]`)) {
      dot.dataset.status = event.status;
      dot.title = t(`chat.presence.${event.status}`);
      const text = dot.querySelector(".visually-hidden");
      if (text) text.textContent = t(`chat.presence.${event.status}`);
    }
  });

  let away = false;
  let awayTimer = null;
  function setPresence(status) {
    away = status === "away";
    if (socket.connected) socket.emit("presence:set", { status });
  }
  const awayLater = () => { awayTimer = window.setTimeout(() => setPresence("away"), AWAY_AFTER); };
  document.addEventListener("visibilitychange", () => {
    window.clearTimeout(awayTimer);
    if (document.visibilityState === "hidden") awayLater();
    else if (away) setPresence("online");
  });
  if (document.visibilityState === "hidden") awayLater();
  // A new connection starts "online" on the server: say again that we are away.
  socket.on("connect", () => { if (away) setPresence("away"); });
}
