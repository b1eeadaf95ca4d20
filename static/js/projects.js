// Project spaces: live updates of the action list, meetings and membership.
//
// Loaded as an ES module by every tab of a project space (templates/projects/_layout.html).
// The pages work without JavaScript; this only saves a reload:
//
// - the page joins `project:<id>` ("project:join", data-project-id) and joins again after
//   every reconnection (rooms do not survive it);
// - on `project:action`, the Actions tab fetches its list again (the same permission checks
//   as the page) and replaces it; other tabs ignore it;
// - on `project:meeting` the Meetings tab reloads, unless the member is typing in a form;
// - on `project:membership` "left" for this project (removed by a lead, or left in another
//   tab), the page reloads: the server then answers what the member may still see.
//
// No inline script or style (CSP 'self').

import { socket } from "./realtime.js";

const root = document.querySelector("[data-project-id]");
const projectId = root ? Number(root.dataset.projectId) : null;
const actionList = document.querySelector("[data-live-actions]");
const meetingList = document.querySelector("[data-live-meetings]");

function join() {
  socket.emit("project:join", { project_id: projectId }, () => {});
}

function typing() {
  const active = document.activeElement;
  return active && active.closest("form") && ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName)
    && active.value;
}

async function refreshActions() {
  const response = await fetch(actionList.dataset.fragmentUrl, {
    headers: { Accept: "text/html" }, credentials: "same-origin",
  });
  if (!response.ok) return;
  const openEditors = new Set([...actionList.querySelectorAll("details[open]")]
    .map((d) => d.closest("[data-action-id]")?.dataset.actionId));
  actionList.innerHTML = await response.text();
  for (const id of openEditors) {
    const details = actionList.querySelector(`[data-action-id="${id}"] details`);
    if (details) details.open = true;
  }
}

if (projectId) {
  if (socket.connected) join();
  socket.on("connect", join);
  socket.on("project:action", (event) => {
    if (event.project_id === projectId && actionList) refreshActions();
  });
  socket.on("project:meeting", (event) => {
    if (event.project_id === projectId && meetingList && !typing()) location.reload();
  });
  socket.on("project:membership", (event) => {
    if (event.project_id === projectId && event.op === "left") location.reload();
  });
}
