// Everything the list shows comes through `chat:history` (docs/realtime.md), rendered by
// the server for this member:
//
// - catching up: `after_id` = `synced`, the id up to which the list is known to be
//   complete (ids follow commit order in a channel), again while `has_more`; after every
//   (re)connection, and when live `chat:message` events announce new messages;
// - refreshing: `ids` of shown messages that `chat:message_updated` / `_deleted` name;
// - scrolling back: `before_id` = the oldest id shown.
//
// Live events only say that something changed. However many arrive, one request at a time
// is in flight for the conversation: events that come meanwhile mark what is wanted, and
// the loop asks once for all of it when the answer is in (a burst of 50 messages costs one
// or two requests). Inserting is by id, so asking from a little too far back only brings
// messages already shown, which are ignored: no gap, no duplicate.

import { socket } from "../realtime.js";
import { idOf } from "./view.js";

const ACK_TIMEOUT = 5000;
const CATCH_UP_PAGE = 100; // the server's maximum
const OLDER_PAGE = 50;     // a screenful or two when scrolling back
const RETRY_AFTER = 3000;

export function createHistory({ channelId, view, messages, olderLink, keepPosition }) {
  let synced = view.highestId(); // the page as rendered is complete up to its last message
  let wantNew = false;           // live messages announced after `synced`
  let announceNew = false;       // ...to be read out when they come
  const stale = new Set();       // ids of shown messages changed since
  let running = null;            // the loop, while a request is in flight
  let loop = 0;                  // bumped when a lost connection abandons the loop
  let retryTimer = null;

  async function request(query) {
    const ack = await socket.timeout(ACK_TIMEOUT).emitWithAck("chat:history", {
      channel_id: channelId, ...query,
    });
    if (!ack?.ok || !Array.isArray(ack.messages)) throw new Error(ack?.error || "history");
    return ack;
  }

  // An answer that comes late is still true: it is used even if the loop was abandoned
  // meanwhile, but an abandoned loop asks nothing more.
  async function catchUpPages(mine, announce) {
    for (;;) {
      // Neither id (the channel was empty when the page was rendered): the latest page.
      const ack = await request(synced
        ? { after_id: synced, limit: CATCH_UP_PAGE } : { limit: CATCH_UP_PAGE });
      messages.insert(ack.messages, { announce, keep: keepPosition });
      const last = ack.messages.at(-1);
      if (!last) return;
      const fromScratch = !synced;
      synced = Math.max(synced, last.id);
      if (!ack.has_more || fromScratch || mine !== loop) return;
    }
  }

  // The loop lets go (`running`) in the same step as it finds nothing left to ask, so a
  // request made just after starts a new loop instead of waiting on a finished one.
  async function drain(mine) {
    try {
      while (mine === loop && socket.connected && (wantNew || stale.size)) {
        if (wantNew) {
          const announce = announceNew;
          wantNew = announceNew = false;
          try {
            await catchUpPages(mine, announce);
          } catch (error) {
            wantNew = true;
            announceNew ||= announce;
            throw error;
          }
        } else {
          const ids = [...stale].slice(0, CATCH_UP_PAGE);
          for (const id of ids) stale.delete(id);
          let ack;
          try {
            ack = await request({ ids });
          } catch (error) {
            for (const id of ids) stale.add(id);
            throw error;
          }
          messages.insert(ack.messages, { replace: true, keep: true });
        }
      }
    } finally {
      if (mine === loop) running = null;
    }
  }

  // Run the loop unless it runs already; the promise settles when nothing is left to ask.
  function pump() {
    if (running) return running;
    if (!socket.connected || !(wantNew || stale.size)) return Promise.resolve();
    running = drain(loop); // it awaits a request before it can let go
    return running;
  }

  // A live event asked for something: on failure, ask again a little later.
  function pumpSoon() {
    pump().catch(() => {
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(() => { if (socket.connected) pumpSoon(); }, RETRY_AFTER);
    });
  }

  let loadingOlder = false;
  let noOlder = !olderLink;
  async function loadOlder() {
    if (loadingOlder || noOlder || !socket.connected || !view.confirmed().length) return;
    loadingOlder = true;
    try {
      const ack = await request({ before_id: idOf(view.confirmed()[0]), limit: OLDER_PAGE });
      const { list } = view;
      const fromBottom = list.scrollHeight - list.scrollTop;
      messages.insertOlder(ack.messages);
      list.scrollTop = list.scrollHeight - fromBottom; // the reader stays on the same message
      if (!ack.has_more) {
        noOlder = true;
        (olderLink.closest("p, li") || olderLink).remove();
      } else {
        const url = new URL(olderLink.href);
        url.searchParams.set("avant", String(idOf(view.confirmed()[0])));
        olderLink.href = url.pathname + url.search;
      }
    } catch {
      // Offline or slow: the link still works, and scrolling up again retries.
    } finally {
      loadingOlder = false;
    }
  }

  return {
    olderPages: () => !noOlder,
    loadOlder,
    // After a (re)connection; rejects if the server did not answer.
    catchUp() {
      wantNew = true;
      return pump();
    },
    // `chat:message`: something after `synced`.
    newMessage() {
      wantNew = announceNew = true;
      pumpSoon();
    },
    // `chat:message_updated` / `_deleted`, or our own deletion acknowledged.
    changed(id) {
      if (!view.byId(id) && id <= synced) return; // in the older pages: seen when loaded
      stale.add(id);
      pumpSoon();
    },
    // The connection is gone: its request will never be answered.
    abandon() {
      loop += 1;
      running = null;
    },
  };
}
