"""Two real server processes over one PostgreSQL database and one Redis, and live clients.

`Cluster` creates its own database on the server of TEST_DATABASE_URL (dropped afterwards),
migrates it with `flask db upgrade`, creates members and channels through the application's
services in this process, and runs two production servers (bench/servers.py: the command of
`make serve`) on two free loopback ports, sharing SECRET_KEY, DATABASE_URL and REDIS_URL.

`LiveClient` is a python-socketio client logged in as a member (the signed session cookie
the login form would set) with the server's own Origin. `ChatSession` plays the browser's
chat client (docs/realtime.md, "Client duties"): messages shown by id, unacknowledged sends
kept and resent with the same client_id, re-join and catch-up after every (re)connection.
"""

from __future__ import annotations

import contextlib
import html
import os
import queue
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
import socketio

from bench.servers import (
    ServerProcess,
    create_pg_database,
    drop_pg_database,
    flask_cli,
    free_port,
    server_command,
    server_env,
    session_cookie,
)

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
MODE = os.environ.get("MULTIPROCESS_SERVER_MODE", "gevent")


def skip_reason() -> str | None:
    if not PG_URL.startswith(("postgresql", "postgres")):
        return "multi-process tests need TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL"
    if not REDIS_URL:
        return "multi-process tests need TEST_REDIS_URL (Redis) as well as TEST_DATABASE_URL"
    return None


class Cluster:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.secret = secrets.token_urlsafe(48)
        self.db_name = f"test_multi_{os.getpid()}"
        self.db_url = ""
        self.servers: dict[str, ServerProcess] = {}
        self.app = None

    # -- life cycle ----------------------------------------------------------------------

    def setup(self) -> None:
        self.db_url = create_pg_database(PG_URL, self.db_name)
        flask_cli(["db", "upgrade"], self.env(0), timeout=120)
        from app import create_app

        self.app = create_app("testing", {
            "SQLALCHEMY_DATABASE_URI": self.db_url, "SECRET_KEY": self.secret,
            "UPLOAD_DIR": str(self.workdir / "uploads")})
        for name in ("A", "B"):
            port = free_port()
            self.servers[name] = ServerProcess(
                name, server_command(MODE, port), self.env(port), port,
                self.workdir / f"server-{name}.log")
        # Both at once: each takes a second or two to import the application.
        starters = [threading.Thread(target=_start_quietly, args=(s,))
                    for s in self.servers.values()]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join(60)
        for server in self.servers.values():
            server.wait_healthy(30)

    def teardown(self) -> None:
        for server in self.servers.values():
            server.kill()
        if self.app is not None:
            from app.extensions import db

            with self.app.app_context():
                db.session.remove()
                db.engine.dispose()
        if self.db_url:
            drop_pg_database(PG_URL, self.db_name)

    def env(self, port: int) -> dict[str, str]:
        return server_env(MODE, port, {
            "FLASK_CONFIG": "production", "SECRET_KEY": self.secret,
            "DATABASE_URL": self.db_url, "REDIS_URL": REDIS_URL,
            "UPLOAD_DIR": str(self.workdir / "uploads"),
            # Conversations here are faster than people type: the limit itself is tested
            # elsewhere, these tests are about delivery.
            "CHAT_RATE_LIMIT": "100000 per minute",
            "GUNICORN_LOGLEVEL": "info",
        })

    def ensure_running(self) -> None:
        for server in self.servers.values():
            if not server.alive():
                server.start(30)

    def logs(self) -> str:
        return "\n".join(f"----- server {name} ({server.url}) -----\n{server.log_tail(20000)}"
                         for name, server in self.servers.items())

    # -- data, through the application's services -----------------------------------------

    def run(self, work: Callable):
        """Call `work()` inside an application context on the cluster's database."""
        from app.extensions import db

        with self.app.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    def member(self, name: str, role: str = "member") -> Member:
        from tests.factories import make_user

        def create():
            user = make_user(name=name, role=role,
                             email=f"{name.lower()}.{secrets.token_hex(3)}@exemple.fr")
            return Member(user.id, name, session_cookie(self.secret, user.get_id()))
        return self.run(create)


def _start_quietly(server: ServerProcess) -> None:
    with contextlib.suppress(RuntimeError):  # wait_healthy() below reports it
        server.start(60)


class Member:
    def __init__(self, user_id: int, name: str, cookie: str):
        self.id, self.name, self.cookie = user_id, name, cookie

    def http(self, server: ServerProcess) -> HttpSession:
        return HttpSession(self, server)


class HttpSession:
    """A member's browser on one server, over HTTP (the session cookie travels by hand:
    production cookies are Secure, which a client only sends over https)."""

    def __init__(self, member: Member, server: ServerProcess):
        self.cookie, self.server = member.cookie, server

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(
            method, self.server.url + path, headers={"Cookie": f"session={self.cookie}"},
            allow_redirects=False, timeout=10, **kwargs)
        self.cookie = response.cookies.get("session") or self.cookie
        return response

    def submit(self, path: str, data: dict[str, str]) -> requests.Response:
        """Load the page with the form, then post it with its CSRF token."""
        page = self.request("GET", path)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert match, "no csrf_token in the form"
        return self.request("POST", path, data={"csrf_token": html.unescape(match[1]), **data})


def _client() -> socketio.Client:
    # Our own Origin header goes on every request; websocket-client must not add a second
    # one to the upgrade (the server would see "origin,origin" and refuse it).
    return socketio.Client(reconnection=False, request_timeout=5,
                           websocket_extra_options={"suppress_origin": True})


class LiveClient:
    """A python-socketio client of one member; every event received lands in a queue."""

    def __init__(self, member: Member):
        self.member = member
        self.events: queue.Queue = queue.Queue()
        self.sio = _client()
        self.sio.on("*", self._record)

    def _record(self, event, data=None) -> None:
        self.events.put((event, data))

    def connect(self, server: ServerProcess) -> LiveClient:
        self.sio.connect(server.url, headers={"Cookie": f"session={self.member.cookie}",
                                              "Origin": server.url}, wait_timeout=10)
        return self

    def call(self, event: str, data, timeout: float = 5.0):
        return self.sio.call(event, data, timeout=timeout)

    def wait_for(self, event: str, predicate=lambda data: True, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                name, data = self.events.get(timeout=left)
            except queue.Empty:
                break
            if name == event and predicate(data):
                return data
        raise AssertionError(f"{self.member.name} received no {event} in {timeout} s")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.sio.disconnect()


class ChatSession:
    """One member's chat client in one channel, as static/js/chat.js behaves.

    A driver thread (`converse`) types a numbered series; each message gets its client_id
    when typed and stays in `pending` until acknowledged. After every (re)connection the
    session re-joins, asks `chat:history` after the highest id shown (repeating while
    `has_more`) and resends what is pending, with the same client_ids.
    """

    SEND_TIMEOUT = 3.0

    def __init__(self, member: Member, channel_id: int, server: ServerProcess, tag: str):
        self.member, self.channel_id, self.server, self.tag = member, channel_id, server, tag
        self.lock = threading.RLock()
        self.shown: dict[int, dict] = {}          # id -> message, what the member sees
        self.shown_client_ids: dict[str, int] = {}
        self.pending: dict[str, str] = {}         # client_id -> body, typed, not acked
        self.acked: dict[str, int] = {}           # client_id -> server id from the ack
        self.problems: list[str] = []
        self.disconnects = 0
        self.connections = 0
        self.sends = 0            # chat:send calls, first sends and resends
        self.typed_offline = 0    # messages typed while not connected
        self.sio: socketio.Client | None = None
        self.move_to: ServerProcess | None = None   # set: move to that server now
        self.failover: ServerProcess | None = None  # set: where to go when the link is lost

    # -- connection --------------------------------------------------------------------------

    def _new_client(self) -> socketio.Client:
        sio = _client()
        sio.on("chat:message", lambda data: self._show(
            {"id": data["message_id"], "client_id": data["client_id"]}, live=True))
        sio.on("disconnect", self._on_disconnect)
        return sio

    def _on_disconnect(self, *_reason) -> None:
        self.disconnects += 1

    @property
    def connected(self) -> bool:
        return self.sio is not None and self.sio.connected

    def connect(self, server: ServerProcess | None = None) -> bool:
        """Connect (again) and catch up; False if the server does not answer yet."""
        self.server = server or self.server
        self.close()
        sio = self._new_client()
        try:
            sio.connect(self.server.url, wait_timeout=3,
                        headers={"Cookie": f"session={self.member.cookie}",
                                 "Origin": self.server.url})
        except socketio.exceptions.ConnectionError:
            return False
        self.sio = sio
        self.connections += 1
        try:
            self._resync()
        except (socketio.exceptions.SocketIOError, OSError):
            return False
        return self.connected

    def close(self) -> None:
        if self.sio is not None:
            with contextlib.suppress(Exception):
                self.sio.disconnect()
            self.sio = None

    def _call(self, event: str, data: dict):
        """Emit and wait for the ack, giving up as soon as the connection is lost (a
        browser's pending emits fail on disconnect; python-socketio's `call` would wait
        for its whole timeout)."""
        sio, answered, answer = self.sio, threading.Event(), []
        if sio is None:
            raise socketio.exceptions.DisconnectedError()

        def callback(*args) -> None:
            answer.append(args[0] if args else None)
            answered.set()

        sio.emit(event, data, callback=callback)
        deadline = time.monotonic() + self.SEND_TIMEOUT
        while not answered.wait(0.02):
            if not sio.connected:
                raise socketio.exceptions.DisconnectedError()
            if time.monotonic() > deadline:
                raise socketio.exceptions.TimeoutError()
        return answer[0]

    def _resync(self) -> None:
        ack = self._call("chat:join", {"channel_id": self.channel_id})
        if not ack.get("ok"):
            raise AssertionError(f"{self.member.name}: chat:join refused: {ack}")
        self.catch_up()
        for client_id, body in sorted(self.pending.items()):
            self._send(client_id, body)

    # -- messages ----------------------------------------------------------------------------

    def _show(self, message: dict, live: bool = False) -> None:
        with self.lock:
            known = self.shown_client_ids.get(message["client_id"])
            if known is not None and known != message["id"]:
                self.problems.append(f"client_id {message['client_id']} shown as ids "
                                     f"{known} and {message['id']}")
            self.shown.setdefault(message["id"], message)
            self.shown_client_ids.setdefault(message["client_id"], message["id"])

    def catch_up(self) -> None:
        """Everything after the highest id shown (or the whole channel when nothing is)."""
        with self.lock:
            after = max(self.shown, default=0)
        if not after:
            for message in self.history():
                self._show(message)
            return
        while True:
            ack = self._call("chat:history", {"channel_id": self.channel_id,
                                              "after_id": after, "limit": 100})
            assert ack.get("ok"), ack
            for message in ack["messages"]:
                self._show(message)
            if not ack["messages"] or not ack.get("has_more"):
                return
            after = ack["messages"][-1]["id"]

    def history(self) -> list[dict]:
        """The whole channel, from the latest page back (fresh from the server)."""
        messages: list[dict] = []
        payload: dict = {"channel_id": self.channel_id, "limit": 100}
        while True:
            ack = self._call("chat:history", payload)
            assert ack.get("ok"), ack
            messages[:0] = ack["messages"]
            if not ack["messages"] or not ack.get("has_more"):
                return messages
            payload["before_id"] = ack["messages"][0]["id"]

    def _send(self, client_id: str, body: str) -> bool:
        self.sends += 1
        try:
            ack = self._call("chat:send", {"channel_id": self.channel_id, "body": body,
                                           "client_id": client_id})
        except (socketio.exceptions.SocketIOError, OSError):
            return False  # the ack is lost: the message stays pending
        if not ack.get("ok"):
            self.problems.append(f"chat:send {client_id} refused: {ack}")
            return False
        message = ack["message"]
        with self.lock:
            if message["client_id"] != client_id:
                self.problems.append(f"ack for {client_id} carries {message['client_id']}")
            previous = self.acked.setdefault(client_id, message["id"])
            if previous != message["id"]:
                self.problems.append(f"{client_id} acked as {previous} then {message['id']}")
            self.pending.pop(client_id, None)
        self._show(message)
        return True

    def type_message(self, n: int) -> None:
        client_id = f"{self.tag}-{self.member.name}-{n:04d}"
        with self.lock:
            self.pending[client_id] = f"{self.member.name} : message n°{n}"
        if self.connected:
            self._send(client_id, self.pending[client_id])
        else:
            self.typed_offline += 1

    def resend_acknowledged(self, how_many: int) -> None:
        """Send again messages already acknowledged, as a client whose acks were lost:
        the server must answer with the same message and store nothing new."""
        with self.lock:
            again = sorted(self.acked)[:how_many]
        for client_id in again:
            assert self._send(client_id, "renvoi après un accusé perdu")

    def summary(self) -> str:
        return (f"{self.member.name}: {len(self.acked)} acked, {self.sends} sends, "
                f"{self.typed_offline} typed offline, {self.connections} connections, "
                f"{self.disconnects} disconnects, last server {self.server.name}")

    def converse(self, count: int, pause: float, deadline: float) -> None:
        """Type `count` messages (also while offline), then flush; reconnect when needed."""
        for n in range(1, count + 1):
            self._keep_connected()
            self.type_message(n)
            time.sleep(pause)
        while time.monotonic() < deadline:
            self._keep_connected()
            if self.connected:
                with self.lock:
                    pending = sorted(self.pending.items())
                for client_id, body in pending:
                    self._send(client_id, body)
                if not self.pending and self.connected:
                    return
            time.sleep(0.1)
        self.problems.append(f"still {len(self.pending)} pending at the deadline")

    def _keep_connected(self) -> None:
        if self.move_to is not None:
            target, self.move_to = self.move_to, None
            self.close()
            self.connect(target)
        elif not self.connected:
            self.connect(self.failover if self.connections else None)
