// Chat: the channel list and a live conversation (templates/chat/index.html, channel.html).
//
// The pages work without JavaScript (the composer posts, "Messages plus anciens" is a
// link). This entry module, loaded as an ES module by the chat pages, makes them live over
// the shared Socket.IO connection, following docs/realtime.md ("### Chat"); the parts are
// small modules under chat/:
//
// - channels.js: the live filter of the channel list, channels one has left;
// - presence.js: presence dots, and "away" after two minutes in a hidden tab;
// - conversation.js: a channel page, put together from view.js (the list, the "new
//   messages" button, the status line), messages.js (placing the server's fragments by
//   id), history.js (catching up and refreshing through chat:history, one request at a
//   time), outbox.js (messages waiting for their ack, resent with the same client_id),
//   composer.js, typing.js and reading.js (the read marker).
//
// Messages are rendered by the server only (templates/chat/_message.html): links, and who
// may edit or delete, are decided there. What the member types is only ever set with
// textContent. Unread badges are chat-badge.js's (loaded on every page by base.html).
// No inline script or style (CSP 'self'): behaviour here, presentation in app.css.

import "./mentions.js";
import { channelList } from "./chat/channels.js";
import { conversation } from "./chat/conversation.js";
import { presence } from "./chat/presence.js";

channelList();
presence();
const root = document.getElementById("chat");
const list = document.getElementById("chat-messages");
if (root && list) conversation(root, list);
