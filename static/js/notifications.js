// Unread notifications badge, kept live.
//
// Loaded by base.html as <script type="module"> for signed-in members. The badge is
// rendered hidden (no query on every page); this module asks the server for the count
// once on load, then follows the `notification` events the server publishes to the
// member's room (see docs/realtime.md):
//
//   {"type": "notification", "op": "add",  "id": 12,   "unread": 3}
//   {"type": "notification", "op": "read", "id": 12,   "unread": 2}
//   {"type": "notification", "op": "read", "id": null, "unread": 0}   (all read)
//
// Every event carries the new unread count, so other open tabs stay right too.
// On the notification centre, a new notification also reveals a "refresh" notice.

import { socket } from "./realtime.js";

const link = document.querySelector("[data-notification-link]");

// On phones the bell sits inside the collapsed "Menu": repeat the badge on the menu
// button so the count shows without opening it (decorative; the bell link inside the
// menu carries the accessible label). Hidden on desktop with the button itself.
const menuButton = document.querySelector(".nav-toggle > summary");
if (link && menuButton) {
  const copy = document.createElement("span");
  copy.className = "notification-badge notification-badge-menu";
  copy.dataset.notificationBadge = "";
  copy.setAttribute("aria-hidden", "true");
  copy.hidden = true;
  menuButton.append(copy);
}

const badges = document.querySelectorAll("[data-notification-badge]");
const refreshNotice = document.querySelector("[data-notification-refresh]");

function label(count) {
  if (!link) return "";
  if (count === 0) return link.dataset.labelNone;
  if (count === 1) return link.dataset.labelOne;
  return link.dataset.labelMany.replace("{n}", String(count));
}

function render(count) {
  if (typeof count !== "number" || !Number.isFinite(count) || count < 0) return;
  for (const badge of badges) {
    // Empty when hidden: a "0" would still be read in the text of the menu button.
    badge.textContent = count === 0 ? "" : count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
  }
  if (link) {
    // The badge itself is aria-hidden: the link's accessible name carries the count.
    if (count === 0) {
      link.removeAttribute("aria-label");
      link.removeAttribute("title");
    } else {
      link.setAttribute("aria-label", label(count));
      link.setAttribute("title", label(count));
    }
  }
}

async function fetchCount() {
  if (!link || !link.dataset.unreadUrl) return;
  try {
    const response = await fetch(link.dataset.unreadUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const data = await response.json();
    render(data.unread);
  } catch {
    // Offline or the server is restarting: the badge keeps its last value.
  }
}

socket.on("notification", (payload) => {
  if (!payload || payload.type !== "notification") return;
  render(payload.unread);
  if (payload.op === "add" && refreshNotice) {
    refreshNotice.hidden = false;
  }
});

// After a reconnection, events sent while offline were missed: ask again.
socket.io.on("reconnect", fetchCount);

fetchCount();
