// Walls: live updates, reactions without reloading (and the @mention autocomplete of
// mentions.js on their composers).
//
// Loaded as an ES module by the wall, post and edit pages (templates/walls/*.html).
// Everything here enhances pages that already work without JavaScript:
//
// - live: the page joins `wall:<id>` ("wall:join", data-wall-id) and, on `wall:post`,
//   `wall:comment` and `wall:reaction`, fetches the server-rendered fragment of what
//   changed (the same permission checks as the page: 404 for what the member may not see)
//   and adds, replaces or removes it; it joins again after every reconnection;
// - reactions: the small POST forms are sent with fetch and the counts updated in place;
//
// No inline script or style (CSP 'self'): behaviour here, presentation in app.css.

import { t } from "./i18n.js";
import "./mentions.js";
import { socket } from "./realtime.js";

const root = document.querySelector("[data-wall-id]");
const wallId = root ? Number(root.dataset.wallId) : null;
const postList = document.querySelector("[data-live-posts]");
const postPage = document.querySelector("[data-post-page]");
const liveStatus = document.querySelector("[data-live-status]");

function currentPath() {
  return location.pathname + location.search;
}

function announce(message) {
  if (!liveStatus) return;
  liveStatus.textContent = "";
  // A fresh text node is announced even when the message repeats.
  window.setTimeout(() => { liveStatus.textContent = message; }, 50);
}

// Fragments ---------------------------------------------------------------------------------

async function fetchFragment(path, extra = {}) {
  const url = new URL(path, location.origin);
  url.searchParams.set("retour", currentPath());
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  } catch {
    return { status: 0, element: null };
  }
  if (!response.ok) return { status: response.status, element: null };
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  return { status: response.status, element: template.content.firstElementChild };
}

// Keep what the member was typing (and which menus were open) when an element is replaced.
function carryOver(oldElement, newElement) {
  for (const field of oldElement.querySelectorAll("textarea[id], input[type=text][id]")) {
    if (!field.value) continue;
    const twin = newElement.querySelector(`#${CSS.escape(field.id)}`);
    if (!twin) continue;
    twin.value = field.value;
    const details = twin.closest("details");
    if (details) details.open = true;
  }
  const focused = document.activeElement;
  return focused && oldElement.contains(focused) && focused.id ? focused.id : null;
}

function replaceElement(oldElement, newElement) {
  const focusId = carryOver(oldElement, newElement);
  oldElement.replaceWith(newElement);
  if (focusId) document.getElementById(focusId)?.focus();
}

function highlight(element) {
  element.classList.add("is-new");
  window.setTimeout(() => element.classList.remove("is-new"), 4000);
}

function idOf(element, attribute) {
  return Number(element.dataset[attribute]);
}

// Posts ---------------------------------------------------------------------------------------

async function addPost(postId) {
  if (!postList || postList.hasAttribute("data-older-page")) return;
  if (document.getElementById(`message-${postId}`)) return;
  const { element } = await fetchFragment(`/murs/messages/${postId}/fragment`);
  if (!element || document.getElementById(element.id)) return;
  const later = [...postList.querySelectorAll(":scope > .post:not(.is-pinned)")]
    .find((other) => idOf(other, "postId") < postId);
  if (later) {
    later.before(element);
  } else if (postList.hasAttribute("data-has-older")) {
    return; // older than this page: it belongs to a later page
  } else {
    postList.append(element);
  }
  document.querySelector("[data-empty]")?.remove();
  highlight(element);
  announce(element.querySelector(".post-title")?.textContent.trim()
    ? t("walls.new_post_titled", { title: element.querySelector(".post-title").textContent.trim() })
    : t("walls.new_post"));
}

async function refreshPost(postId) {
  const existing = document.getElementById(`message-${postId}`);
  if (!existing) return;
  const extra = postPage ? { complet: "1" } : {};
  const { status, element } = await fetchFragment(`/murs/messages/${postId}/fragment`, extra);
  const current = document.getElementById(`message-${postId}`);
  if (!current) return;
  if (element) {
    replaceElement(current, element);
  } else if (status === 404) {
    removePost(postId);
  }
}

function removePost(postId) {
  const existing = document.getElementById(`message-${postId}`);
  if (!existing) return;
  if (postPage) {
    const notice = document.createElement("p");
    notice.className = "empty";
    notice.textContent = t("walls.post_gone");
    existing.replaceWith(notice);
  } else {
    existing.remove();
  }
  announce(t("walls.post_removed"));
}

socket.on("wall:post", (event) => {
  if (!event || event.wall_id !== wallId) return;
  if (event.op === "add") addPost(event.post_id);
  else if (event.op === "update") refreshPost(event.post_id);
  else if (event.op === "remove") {
    // On a post's own page, a move to another wall also sends "remove": ask the server.
    if (postPage) refreshPost(event.post_id);
    else removePost(event.post_id);
  }
});

// Comments ------------------------------------------------------------------------------------

async function addComment(postId, commentId) {
  const post = document.getElementById(`message-${postId}`);
  if (!post || document.getElementById(`commentaire-${commentId}`)) return;
  const { element } = await fetchFragment(`/murs/commentaires/${commentId}/fragment`);
  if (!element || document.getElementById(element.id)) return;
  const parentId = element.dataset.parentId;
  const list = parentId
    ? post.querySelector(`[data-replies-for="${CSS.escape(parentId)}"]`)
    : post.querySelector(`[data-comments-for="${postId}"]`);
  if (!list) return; // its thread is not shown on this page
  const next = [...list.querySelectorAll(":scope > .comment")]
    .find((other) => idOf(other, "commentId") > commentId && !other.classList.contains("is-accepted"));
  if (next) next.before(element);
  else list.append(element);
  highlight(element);
  announce(t("walls.new_comment"));
}

async function refreshComment(commentId) {
  const existing = document.getElementById(`commentaire-${commentId}`);
  if (!existing) return;
  const { status, element } = await fetchFragment(`/murs/commentaires/${commentId}/fragment`);
  const current = document.getElementById(`commentaire-${commentId}`);
  if (!current) return;
  if (element) {
    // A thread's fragment carries its replies; a reply's does not have a list to keep.
    replaceElement(current, element);
  } else if (status === 404) {
    current.remove();
  }
}

socket.on("wall:comment", (event) => {
  if (!event || event.wall_id !== wallId) return;
  if (event.op === "add") addComment(event.post_id, event.comment_id);
  else if (event.op === "update") refreshComment(event.comment_id);
  else if (event.op === "remove") document.getElementById(`commentaire-${event.comment_id}`)?.remove();
});

// Reactions -----------------------------------------------------------------------------------

function updateReactions(group, counts, mine) {
  for (const button of group.querySelectorAll("button[data-kind]")) {
    const kind = button.dataset.kind;
    const n = Number(counts?.[kind] || 0);
    const count = button.querySelector(".reaction-count");
    if (count) {
      count.textContent = n ? String(n) : "";
      count.dataset.count = String(n);
    }
    if (mine) button.setAttribute("aria-pressed", mine.includes(kind) ? "true" : "false");
  }
}

socket.on("wall:reaction", (event) => {
  if (!event || event.wall_id !== wallId) return;
  const key = `${event.target_type}:${event.target_id}`;
  for (const group of document.querySelectorAll(`[data-reactions="${CSS.escape(key)}"]`)) {
    updateReactions(group, event.counts, null);
  }
});

document.addEventListener("submit", async (event) => {
  const form = event.target instanceof HTMLFormElement && event.target.matches(".reaction-form")
    ? event.target : null;
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button");
  const group = form.closest("[data-reactions]");
  if (button.disabled) return;
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    if (group) updateReactions(group, data.counts, data.mine);
  } catch {
    // Let the browser send the form the ordinary way: the server answers with a page.
    HTMLFormElement.prototype.submit.call(form);
  } finally {
    button.disabled = false;
  }
});

// Joining the wall's room ---------------------------------------------------------------------

function join() {
  if (!wallId) return;
  socket.emit("wall:join", { wall_id: wallId }, (ack) => {
    if (!ack || !ack.ok) root.dataset.live = "off";
    else root.dataset.live = "on";
  });
}

if (wallId) {
  socket.on("connect", join); // also after every reconnection: rooms do not survive it
  if (socket.connected) join();
  window.addEventListener("pagehide", () => {
    if (socket.connected) socket.emit("wall:leave", { wall_id: wallId });
  });
}

// The composer opens on demand; opening it puts the cursor in the message.
document.querySelector(".composer-panel")?.addEventListener("toggle", (event) => {
  if (event.target.open) event.target.querySelector("textarea")?.focus();
});
