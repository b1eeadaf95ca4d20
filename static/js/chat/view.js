// What the conversation module adds around the server's list (<ol id="chat-messages">):
// the "new messages" button under it, a live region that reads out messages from others,
// a status line near the composer (the server's when it rendered an error, else a new
// one), and small queries over the list.

import { t } from "../i18n.js";

const NEAR_BOTTOM = 120; // px: "the reader is at the bottom"

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export const idOf = (li) => Number(li.dataset.messageId);

export function createView(root, list, form) {
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
  const confirmed = () => [...list.querySelectorAll(":scope > li[data-message-id]")];

  return {
    root,
    list,
    pill,
    nearBottom,
    scrollToBottom,
    showStatus,
    clearStatus: (kind) => { if (status.dataset.kind === kind) showStatus(""); },
    statusKind: () => status.dataset.kind,
    confirmed,
    pendings: () => [...list.querySelectorAll(":scope > li.is-pending")],
    highestId: () => Math.max(0, ...confirmed().map(idOf)),
    byId: (id) => document.getElementById(`message-${Number(id)}`),
    byClientId: (clientId) => clientId
      ? list.querySelector(`:scope > li[data-client-id="${CSS.escape(clientId)}"]`) : null,
    removeEmpty: () => list.querySelector(":scope > [data-chat-empty]")?.remove(),
    announce(text) {
      announcer.textContent = "";
      window.setTimeout(() => { announcer.textContent = text; }, 50); // even if repeated
    },
  };
}
