// Live connection for logged-in pages.
//
// Loaded by base.html as <script type="module"> on every page of a signed-in member.
// It opens ONE Socket.IO connection to the same origin and exports it, so feature
// modules (chat, walls, notifications…) reuse it instead of opening their own:
//
//   import { socket } from "./realtime.js";
//   socket.on("some:event", (payload) => { … });
//
// The session cookie travels with the handshake, so the server knows who is connected
// and puts the socket in that member's private room (see app/realtime.py).
// The CSP allows this: the script is served from 'self' and connect-src is 'self'.

import { io } from "../vendor/socket.io-client/socket.io.esm.min.js";

// Same origin, no URL needed. WebSocket first (one long-lived connection, no sticky
// sessions needed behind several workers); if it cannot open (proxy, old network),
// tryAllTransports falls back to HTTP long-polling.
export const socket = io({
  transports: ["websocket", "polling"],
  tryAllTransports: true,
});

// body[data-live] drives the small "live" dot in the header (see app.css).
function setLive(state) {
  document.body.dataset.live = state;
}

socket.on("connect", () => setLive("on"));
socket.on("disconnect", () => setLive("off"));
// The server refused or could not be reached; the client keeps retrying on its own
// unless the server rejected the handshake.
socket.on("connect_error", () => setLive("off"));

// The member's session was ended server-side (suspension, password change elsewhere,
// logout from another device). Reloading lets the server answer with the login page,
// so an open tab does not keep showing private content.
socket.on("session:ended", () => {
  location.reload();
});
