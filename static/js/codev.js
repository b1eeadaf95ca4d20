// Live co-development room (docs/realtime.md, "Co-development").
//
// The server owns the state: `codev:join` answers all of it (so a reload, a late join or
// a reconnection shows the same thing as everyone else), then events keep it current.
// The countdown runs on this screen, corrected by the offset between the server's clock
// (`server_now` in every state and phase event) and this computer's.

import { t } from "./i18n.js";
import { socket } from "./realtime.js";

const root = document.getElementById("codev");
const sessionId = Number(root.dataset.sessionId);
const $ = (id) => document.getElementById(id);

let state = null;
let offsetMs = 0; // server clock minus local clock
// The item being reworded, kept across re-renders (another's post redraws the lists).
let editing = null; // { id, draft, error }

function setOffset(serverNow) {
  offsetMs = Date.parse(serverNow) - Date.now();
}

function serverNow() {
  return Date.now() + offsetMs;
}

// Timer ---------------------------------------------------------------------------------

function renderTimer() {
  const timer = $("codev-timer");
  const phase = state && state.status === "live" ? state.phase : null;
  if (!phase) {
    timer.textContent = "--:--";
    timer.classList.remove("is-overtime");
    return;
  }
  const left = Math.round((Date.parse(phase.ends_at) - serverNow()) / 1000);
  const abs = Math.abs(left);
  const text = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  timer.textContent = left < 0 ? `+${text}` : text;
  timer.classList.toggle("is-overtime", left < 0);
  timer.title = left < 0 ? t("codev.overtime") : "";
}

// Rendering -----------------------------------------------------------------------------

function myKind() {
  if (!state || state.status !== "live" || !state.phase) return null;
  for (const [kind, rule] of Object.entries(state.rules)) {
    if (rule.phase === state.phase.code && rule.roles.includes(state.me.role)) return kind;
  }
  return null;
}

// The session's status in words, from the labels the page was rendered with.
const statusBox = $("codev-status");
const statusLabels = statusBox ? JSON.parse(statusBox.dataset.labels || "{}") : {};

function renderPhase() {
  root.dataset.status = state.status;
  if (statusBox && statusLabels[state.status]) statusBox.textContent = statusLabels[state.status];
  root.dataset.phase = state.phase ? state.phase.code : "";
  const label = $("codev-phase-label");
  if (state.phase && state.status === "live") {
    label.textContent = `${state.phase.index}. ${state.phase.label}`;
  } else {
    label.textContent = state.status === "ended" ? t("codev.ended") : t("codev.not_started");
  }
  for (const li of $("codev-phases").children) {
    if (state.phase && Number(li.dataset.index) === state.phase.index && state.status === "live") {
      li.setAttribute("aria-current", "step");
    } else {
      li.removeAttribute("aria-current");
    }
  }
  const controls = $("codev-controls");
  if (controls) {
    controls.querySelector('[data-op="start"]').hidden = state.status !== "scheduled";
    controls.querySelector('[data-op="next"]').hidden = state.status !== "live";
    controls.querySelector('[data-op="extend"]').hidden = state.status !== "live";
  }
  $("codev-end").hidden = state.status !== "ended";
  const kind = myKind();
  $("codev-compose-panel").hidden = !kind;
  if (kind) $("codev-body-label").textContent = t(`codev.composer.${kind}`);
  $("codev-composer").dataset.kind = kind || "";
  $("codev-listen").hidden = Boolean(kind) || state.status !== "live";
  $("codev-listen").textContent = t("codev.waiting");
  $("codev-hand").hidden = state.status !== "live";
  renderTimer();
}

function renderPeople() {
  const list = $("codev-participants");
  list.replaceChildren();
  const present = new Set(state.present);
  const hands = new Set(state.hands);
  for (const person of state.participants) {
    const li = document.createElement("li");
    li.dataset.userId = person.id;
    li.classList.toggle("is-present", present.has(person.id));
    const dot = document.createElement("span");
    dot.className = "codev-dot";
    dot.title = present.has(person.id) ? t("codev.present") : t("codev.absent");
    const name = document.createElement("span");
    name.textContent = person.name;
    const role = document.createElement("span");
    role.className = "muted";
    role.textContent = ` ${t(`codev.role.${person.role}`)}`;
    li.append(dot, name, role);
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.textContent = ` (${present.has(person.id) ? t("codev.present") : t("codev.absent")})`;
    li.append(status);
    if (hands.has(person.id)) {
      const hand = document.createElement("span");
      hand.className = "badge codev-hand";
      hand.textContent = `✋ ${t("codev.hand")}`;
      li.append(" ", hand);
      if (state.me.role === "facilitator" && person.id !== state.me.id) {
        const lower = document.createElement("button");
        lower.type = "button";
        lower.className = "link-button";
        lower.textContent = t("codev.lower_for", { name: person.name });
        lower.addEventListener("click", () => emit("codev:hand", { raised: false, user_id: person.id }));
        li.append(" ", lower);
      }
    }
    list.append(li);
  }
  const mine = hands.has(state.me.id);
  $("codev-hand").textContent = mine ? t("codev.lower") : t("codev.raise");
  $("codev-hand").setAttribute("aria-pressed", String(mine));
}

function renderItems() {
  const kind = myKind();
  const retained = new Set(state.contributions.filter((c) => c.kind === "action" && c.source_id)
    .map((c) => c.source_id));
  const typing = Boolean(document.activeElement && document.activeElement.closest(".codev-editor textarea"));
  for (const list of root.querySelectorAll(".codev-items")) {
    const items = state.contributions.filter((c) => c.kind === list.dataset.kind);
    list.replaceChildren();
    if (!items.length) {
      const empty = document.createElement("li");
      empty.className = "muted codev-empty";
      empty.textContent = t("codev.none");
      list.append(empty);
    }
    for (const item of items) {
      const li = document.createElement("li");
      li.dataset.id = item.id;
      const mine = item.author.id === state.me.id && kind === item.kind;
      if (mine && editing && editing.id === item.id) {
        li.append(editor(item));
        list.append(li);
        continue;
      }
      const body = document.createElement("div");
      body.className = "prose";
      body.innerHTML = item.body_html; // sanitised by the server (app/sanitize.py)
      const who = document.createElement("span");
      who.className = "muted";
      who.textContent = t("codev.by", { name: item.author.name });
      li.append(body, who);
      if (item.kind === "suggestion" && retained.has(item.id)) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = t("codev.retained");
        li.append(" ", badge);
      }
      if (item.kind === "suggestion" && kind === "action" && !retained.has(item.id)) {
        li.append(" ", button(t("codev.retain"), () => emit("codev:post", { kind: "action", source_id: item.id })));
      }
      if (mine) {
        const edit = button(t("codev.edit"), () => {
          editing = { id: item.id, draft: item.body, error: "" };
          renderItems();
          const box = root.querySelector(`li[data-id="${item.id}"] textarea`);
          if (box) box.focus();
        });
        edit.classList.add("codev-edit");
        li.append(" ", edit);
        li.append(" ", button(t("codev.delete"), () => emit("codev:delete", { contribution_id: item.id })));
      }
      list.append(li);
    }
  }
  if (editing && !state.contributions.some((c) => c.id === editing.id
      && c.author.id === state.me.id && c.kind === kind)) {
    editing = null; // deleted, or its phase is over: nothing left to reword
  }
  const box = typing && root.querySelector(".codev-editor textarea");
  if (box) box.focus(); // someone else's post redrew the list mid-sentence
}

// Inline rewording of one's own item: sends codev:edit, keeps the text on a refusal.
function editor(item) {
  const form = document.createElement("form");
  form.className = "stack-form codev-editor";
  const box = document.createElement("textarea");
  box.rows = 3;
  box.maxLength = 2000;
  box.required = true;
  box.value = editing.draft;
  box.setAttribute("aria-label", t("codev.edit_label"));
  box.addEventListener("input", () => { editing.draft = box.value; });
  const error = document.createElement("p");
  error.className = "errors";
  error.setAttribute("role", "alert");
  error.hidden = !editing.error;
  error.textContent = editing.error;
  const save = document.createElement("button");
  save.type = "submit";
  save.className = "button-small primary";
  save.textContent = t("codev.save");
  const cancel = button(t("codev.cancel_edit"), () => { editing = null; renderItems(); });
  form.append(box, error, save, " ", cancel);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = box.value.trim();
    if (!body) return;
    save.disabled = true;
    request("codev:edit", { contribution_id: item.id, body }).then((answer) => {
      save.disabled = false;
      if (!answer.ok) {
        if (editing && editing.id === item.id) editing.error = answer.message;
        error.textContent = answer.message;
        error.hidden = false;
        return;
      }
      editing = null;
      const index = state.contributions.findIndex((c) => c.id === answer.contribution.id);
      if (index >= 0) state.contributions[index] = answer.contribution;
      renderItems();
    });
  });
  return form;
}

function button(text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button-small";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

function renderAll() {
  renderPhase();
  renderPeople();
  renderItems();
}

// Talking to the server -----------------------------------------------------------------

function showError(answer) {
  const box = $("codev-error");
  box.hidden = false;
  box.textContent = answer.message;
}

const ACK_TIMEOUT = 5000;

// An answer always comes: the server's ack, or after ACK_TIMEOUT an error that frees the
// buttons waiting for it (the connection is coming back; the room's state follows).
async function request(event, payload) {
  try {
    return await socket.timeout(ACK_TIMEOUT).emitWithAck(event,
      { session_id: sessionId, ...payload });
  } catch {
    return { ok: false, error: "timeout", message: t("codev.offline") };
  }
}

function emit(event, payload) {
  return request(event, payload).then((answer) => {
    if (!answer.ok) showError(answer);
    return answer;
  });
}

function join() {
  socket.emit("codev:join", { session_id: sessionId }, (answer) => {
    if (!answer.ok) {
      $("codev-connection").textContent = answer.message;
      return;
    }
    state = answer.state;
    setOffset(state.server_now);
    root.dataset.live = "on";
    $("codev-connection").textContent = "";
    renderAll();
  });
}

socket.on("connect", join);
if (socket.connected) join();
socket.on("disconnect", () => {
  root.dataset.live = "off";
  $("codev-connection").textContent = t("codev.offline");
});

socket.on("codev:phase", (event) => {
  if (!state || event.session_id !== sessionId) return;
  setOffset(event.server_now);
  Object.assign(state, { status: event.status, phase: event.phase, durations: event.durations,
    record_url: event.record_url });
  renderAll();
});

socket.on("codev:contribution", (event) => {
  if (!state || event.session_id !== sessionId) return;
  if (event.op === "delete") {
    state.contributions = state.contributions.filter((c) => c.id !== event.id);
  } else {
    const index = state.contributions.findIndex((c) => c.id === event.contribution.id);
    if (index >= 0) state.contributions[index] = event.contribution;
    else state.contributions.push(event.contribution);
  }
  renderItems();
});

socket.on("codev:hands", (event) => {
  if (!state || event.session_id !== sessionId) return;
  state.hands = event.hands;
  renderPeople();
});

socket.on("codev:presence", (event) => {
  if (!state || event.session_id !== sessionId) return;
  state.present = event.present;
  renderPeople();
});

// Controls ------------------------------------------------------------------------------

const controls = $("codev-controls");
if (controls) {
  controls.addEventListener("click", (e) => {
    const target = e.target.closest("button[data-op]");
    if (!target || !state) return;
    const payload = { op: target.dataset.op };
    if (payload.op === "next") payload.expected_index = state.phase ? state.phase.index : 0;
    if (payload.op === "extend") payload.minutes = Number(target.dataset.minutes);
    target.disabled = true;
    emit("codev:phase", payload).then(() => { target.disabled = false; });
  });
}

$("codev-hand").addEventListener("click", () => {
  if (!state) return;
  emit("codev:hand", { raised: !state.hands.includes(state.me.id) });
});

$("codev-composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  const box = $("codev-body");
  const body = box.value.trim();
  if (!body || !form.dataset.kind) return;
  $("codev-error").hidden = true;
  emit("codev:post", { kind: form.dataset.kind, body }).then((answer) => {
    if (answer.ok) box.value = ""; // on error the text stays, to be fixed and sent again
    box.focus();
  });
});

setInterval(() => { if (state) renderTimer(); }, 250);
