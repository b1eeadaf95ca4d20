// Walls: live updates, reactions without reloading, @mention autocomplete.
//
// Loaded as an ES module by the wall, post and edit pages (templates/walls/*.html).
// Everything here enhances pages that already work without JavaScript:
//
// - live: the page joins `wall:<id>` ("wall:join", data-wall-id) and, on `wall:post`,
//   `wall:comment` and `wall:reaction`, fetches the server-rendered fragment of what
//   changed (the same permission checks as the page: 404 for what the member may not see)
//   and adds, replaces or removes it; it joins again after every reconnection;
// - reactions: the small POST forms are sent with fetch and the counts updated in place;
// - mentions: in a textarea[data-mentions], "@" and two letters open a list of members
//   (arrow keys, Enter or Tab, Escape); the choice is inserted as "@[Display Name](id)".
//
// No inline script or style (CSP 'self'): behaviour here, presentation in app.css.

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
    ? `Nouveau message : ${element.querySelector(".post-title").textContent.trim()}`
    : "Un nouveau message vient d'arriver.");
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
    notice.textContent = "Ce message n'est plus disponible.";
    existing.replaceWith(notice);
  } else {
    existing.remove();
  }
  announce("Un message a été retiré.");
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
  announce("Nouveau commentaire.");
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

// @mention autocomplete -----------------------------------------------------------------------

const MENTION_QUERY = /(?:^|[\s(])@([\p{L}\p{N}'’.-]{2,}(?: [\p{L}\p{N}'’.-]*)?)$/u;
let mention = null; // { textarea, start, listbox, options, active, controller }
let listboxCount = 0;
let debounce = null;

function closeMentions() {
  if (!mention) return;
  const { textarea, listbox } = mention;
  mention.controller?.abort();
  listbox.remove();
  textarea.removeAttribute("aria-activedescendant");
  textarea.removeAttribute("aria-controls");
  mention = null;
}

function setActive(index) {
  if (!mention || !mention.options.length) return;
  const total = mention.options.length;
  mention.active = (index + total) % total;
  mention.options.forEach((option, i) => {
    option.setAttribute("aria-selected", i === mention.active ? "true" : "false");
  });
  const option = mention.options[mention.active];
  mention.textarea.setAttribute("aria-activedescendant", option.id);
  option.scrollIntoView({ block: "nearest" });
}

function choose(index) {
  if (!mention) return;
  const option = mention.options[index];
  if (!option) return;
  const { textarea, start } = mention;
  const caret = textarea.selectionStart;
  const name = option.dataset.name.replace(/[[\]]/g, "");
  const inserted = `@[${name}](${option.dataset.id}) `;
  textarea.value = textarea.value.slice(0, start) + inserted + textarea.value.slice(caret);
  const position = start + inserted.length;
  textarea.setSelectionRange(position, position);
  closeMentions();
  textarea.focus();
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

function showSuggestions(textarea, start, members) {
  closeMentions();
  if (!members.length) return;
  const listbox = document.createElement("ul");
  listbox.id = `mention-list-${++listboxCount}`;
  listbox.className = "mention-list";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Membres à mentionner");
  const options = members.map((member, i) => {
    const option = document.createElement("li");
    option.id = `${listbox.id}-${i}`;
    option.setAttribute("role", "option");
    option.dataset.id = String(member.id);
    option.dataset.name = member.display_name;
    option.textContent = member.display_name;
    option.addEventListener("mousedown", (event) => {
      event.preventDefault(); // keep the focus in the textarea
      choose(i);
    });
    listbox.append(option);
    return option;
  });
  textarea.after(listbox);
  textarea.setAttribute("aria-controls", listbox.id);
  mention = { textarea, start, listbox, options, active: 0, controller: null };
  setActive(0);
}

async function lookUp(textarea) {
  const caret = textarea.selectionStart;
  if (caret !== textarea.selectionEnd) return closeMentions();
  const match = MENTION_QUERY.exec(textarea.value.slice(0, caret));
  if (!match) return closeMentions();
  const query = match[1];
  const start = caret - query.length - 1;
  const controller = new AbortController();
  if (mention) mention.controller?.abort();
  try {
    const response = await fetch(`/membres/suggestions?q=${encodeURIComponent(query)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller.signal,
    });
    if (!response.ok) return closeMentions();
    const members = await response.json();
    if (document.activeElement !== textarea) return;
    showSuggestions(textarea, start, Array.isArray(members) ? members : []);
  } catch {
    // aborted by a newer keystroke, or offline: nothing to show
  }
}

document.addEventListener("input", (event) => {
  const textarea = event.target;
  if (!(textarea instanceof HTMLTextAreaElement) || !textarea.hasAttribute("data-mentions")) return;
  if (!textarea.hasAttribute("aria-autocomplete")) textarea.setAttribute("aria-autocomplete", "list");
  window.clearTimeout(debounce);
  debounce = window.setTimeout(() => lookUp(textarea), 150);
});

document.addEventListener("keydown", (event) => {
  if (!mention || event.target !== mention.textarea) return;
  if (event.key === "ArrowDown") {
    event.preventDefault();
    setActive(mention.active + 1);
  } else if (event.key === "ArrowUp") {
    event.preventDefault();
    setActive(mention.active - 1);
  } else if (event.key === "Enter" || event.key === "Tab") {
    event.preventDefault();
    choose(mention.active);
  } else if (event.key === "Escape") {
    event.preventDefault();
    closeMentions();
  }
});

document.addEventListener("focusout", (event) => {
  if (mention && event.target === mention.textarea) window.setTimeout(closeMentions, 150);
});
