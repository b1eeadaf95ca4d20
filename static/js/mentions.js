// @mention autocomplete for every textarea[data-mentions] of the page (walls, chat…):
// "@" and two letters open a list of members (arrow keys, Enter or Tab, Escape); the choice
// is inserted as "@[Display Name](id)", which the server turns into a mention.
//
// No inline script or style (CSP 'self'): behaviour here, presentation in app.css.

import { t } from "./i18n.js";

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
  listbox.setAttribute("aria-label", t("walls.mention_list"));
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
