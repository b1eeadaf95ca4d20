"""Gunicorn settings of the production server (`make serve`, systemd): read from the environment.

One worker per process, always: a Socket.IO session lives in the process that opened it, and
gunicorn's own balancing is not sticky. To use more cores, start several processes on their
own ports (`make serve PORTS="5001 5002"`) behind nginx with `ip_hash`, sharing `REDIS_URL`.
See docs/deploy.md for the measurements behind the defaults.

- `SOCKETIO_ASYNC_MODE=gevent` (default here): gevent worker with gevent-websocket. The worker
  monkey-patches the standard library as it starts, before it imports the application (the
  master never imports it: no `preload_app`), so psycopg, redis and the Socket.IO message
  queue all cooperate with the event loop.
- `SOCKETIO_ASYNC_MODE=threading`: gthread worker with simple-websocket; every open WebSocket
  holds one of `GUNICORN_THREADS` threads, which bounds the connections of the process.
"""

from __future__ import annotations

import importlib.util
import os

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "5000")
# The application reads SOCKETIO_ASYNC_MODE itself (config.py); setting it here makes the
# worker class and the async mode of Flask-SocketIO agree whatever the caller exported.
MODE = os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")

wsgi_app = "wsgi:app"
bind = [f"{HOST}:{PORT}"]
workers = 1
preload_app = False

if MODE == "gevent":
    # Engine.IO serves WebSockets through gevent-websocket when it is installed (it is a
    # dependency) and then needs its worker; without it, the plain gevent worker and
    # simple-websocket.
    worker_class = ("geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
                    if importlib.util.find_spec("geventwebsocket") else "gevent")
    worker_connections = int(os.environ.get("GUNICORN_CONNECTIONS", "4000"))
elif MODE == "threading":
    worker_class = "gthread"
    threads = int(os.environ.get("GUNICORN_THREADS", "1000"))
    worker_connections = threads + 1000  # room for keep-alive HTTP connections
else:
    raise RuntimeError(f"SOCKETIO_ASYNC_MODE={MODE!r}: use gevent or threading with gunicorn")

# A worker silent for this long is restarted by the master; WebSockets are not affected
# (the worker's heartbeat does not depend on requests finishing).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
keepalive = 5
# nginx on the same host sets X-Forwarded-Proto; gunicorn trusts it from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
proc_name = f"catalyseurs:{PORT}"
# Gunicorn ≥ 24 opens a control socket at one fixed path per user: several processes on one
# host would fight over it, and nothing here uses it.
control_socket_disable = True
