// Unread chat messages: the badge next to "Chat" in the main navigation, kept live.
//
// Loaded by base.html as <script type="module"> on every page of a signed-in member
// (chat.js imports it too: one module instance per page either way). The badge
// ([data-chat-badge]) shows the total of unread messages over all the member's
// channels. The server renders it with the page; once the live connection is up
// (and after every reconnection) this module asks GET /chat/non-lus, which covers what
// happened between the page and the connection or while offline; in between it follows
// `chat:unread`, which carries the new counts (docs/realtime.md):
//
//   {"type": "chat", "op": "unread", "channel_id": 7, "unread": 3, "total_unread": 5, …}
//
// Per-channel counts ([data-unread-for="<channel id>"], channel list of the chat pages)
// are set from the same sources, so a second open tab stays right too.

import { t } from "./i18n.js";
import { socket } from "./realtime.js";

const URL_DEFAULT = "/chat/non-lus";

const words = (n) => (n === 1 ? t("chat.unread.one") : t("chat.unread.many", { count: n }));

function isCount(value) {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function show(element, count) {
  element.textContent = count === 0 ? "" : count > 99 ? "99+" : String(count);
  element.hidden = count === 0;
}

/** Set the global badge(s) to `total` unread messages. */
export function renderTotal(total) {
  if (!isCount(total)) return;
  for (const badge of document.querySelectorAll("[data-chat-badge]")) {
    show(badge, total);
    // The count is visual; the link's title (and accessible description) says it in words.
    const link = badge.closest("a");
    if (!link) continue;
    if (total === 0) link.removeAttribute("title");
    else link.title = words(total);
  }
}

/** Set the badge of one channel in the channel list. */
export function renderChannel(channelId, unread) {
  if (!isCount(unread)) return;
  for (const badge of document.querySelectorAll(`[data-unread-for="${Number(channelId)}"]`)) {
    show(badge, unread);
    badge.title = words(unread);
    badge.closest("[data-channel-link]")?.classList.toggle("has-unread", unread > 0);
  }
}

async function fetchCounts() {
  const url = document.querySelector("[data-chat-badge][data-url]")?.dataset.url || URL_DEFAULT;
  try {
    const response = await fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const data = await response.json();
    renderTotal(data.total_unread ?? data.unread);
    // Per-channel counts: {"channels": {"7": 3, …}}, channels with nothing unread left out.
    if (data.channels && typeof data.channels === "object") {
      for (const badge of document.querySelectorAll("[data-unread-for]")) {
        const channelId = badge.dataset.unreadFor;
        renderChannel(channelId, data.channels[channelId] ?? 0);
      }
    }
  } catch {
    // Offline or the server is restarting: the badge keeps its last value.
  }
}

socket.on("chat:unread", (payload) => {
  if (!payload || payload.type !== "chat") return;
  renderTotal(payload.total_unread);
  renderChannel(payload.channel_id, payload.unread);
});

// On every connection (the first one too): events sent before it, or while it was down,
// were missed.
function catchUp() {
  if (document.querySelector("[data-chat-badge], [data-unread-for]")) fetchCounts();
}
socket.on("connect", catchUp);
if (socket.connected) catchUp();
