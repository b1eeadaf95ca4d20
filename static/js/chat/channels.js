// The channel list of both chat pages: a live filter, and channels one has left.

import { socket } from "../realtime.js";

// "helene" finds "Hélène": compare without accents or case.
const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

export function channelList() {
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
}
