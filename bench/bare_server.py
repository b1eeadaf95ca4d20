"""A bare python-socketio broadcast server: the baseline of bench/chat_fanout.py.

No Flask, no database, no permission check: `chat:join` enters a room, `chat:send` numbers the
message, broadcasts a payload shaped like the application's `chat:message` to the room and
acknowledges. Served exactly like the application (same gunicorn settings, or Werkzeug's
threaded server for the embedded mode), so the ratio measures what the application adds.

    gunicorn -c gunicorn.conf.py bench.bare_server:app      # SOCKETIO_ASYNC_MODE=gevent|threading
    python bench/bare_server.py --port 5050                  # Werkzeug, threading
"""

from __future__ import annotations

import os

if os.environ.get("SOCKETIO_ASYNC_MODE") == "gevent":  # pragma: no cover - server side only
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import html  # noqa: E402
import itertools  # noqa: E402
import threading  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import socketio  # noqa: E402

ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
# With BARE_REDIS_URL, broadcasts go through a Redis message queue, as the application's
# do with REDIS_URL (its own channel: it never mixes with the application's).
_queue = os.environ.get("BARE_REDIS_URL")
sio = socketio.Server(async_mode=ASYNC_MODE, client_manager=socketio.RedisManager(
    _queue, channel="bench-bare") if _queue else None)
_ids = itertools.count(1)
_lock = threading.Lock()


def _health(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


app = socketio.WSGIApp(sio, _health)


@sio.on("chat:join")
def join(sid, payload):
    channel_id = payload["channel_id"]
    sio.enter_room(sid, f"channel:{channel_id}")
    return {"ok": True, "channel": {"id": channel_id}}


@sio.on("chat:send")
def send(sid, payload):
    with _lock:
        message_id = next(_ids)
    message = {
        "id": message_id, "channel_id": payload["channel_id"],
        "client_id": payload["client_id"], "author": {"id": 1, "name": "Banc d'essai"},
        "body_html": f"<p>{html.escape(payload['body'])}</p>",
        "created_at": datetime.now(UTC).isoformat(), "edited_at": None, "deleted": False,
    }
    sio.emit("chat:message", {"type": "chat", "op": "message", "message": message},
             to=f"channel:{payload['channel_id']}")
    return {"ok": True, "message": message}


if __name__ == "__main__":
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5050)
    args = parser.parse_args()
    run_simple(args.host, args.port, app, threaded=True)
