"""Failure behaviour (issue 13): the database or Redis unreachable.

- database: a French 503 page with Retry-After (JSON for JSON callers, an `unavailable` ack
  for socket events) within 2 s, /healthz 503 whoever asks, back to normal without restart
  (simulated on SQLite, and for real on PostgreSQL through a TCP proxy the test cuts);
- Redis: login, pages, chat keep working (in-memory fallbacks), /healthz says
  `"redis": "unavailable"` and stays 200, the chat page tells the member live delivery is
  degraded.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager, suppress
from unittest.mock import patch

import psycopg
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError

from app import create_app, taxonomy, web
from app.db import transaction
from app.extensions import db, limiter
from tests.chat.conftest import ack, client_id, create_channel, socket_for
from tests.conftest import FreshRequestClient, _fresh_database, login
from tests.factories import PASSWORD, make_user

UNAVAILABLE = "La plateforme est momentanément indisponible, réessayez dans un instant."
DEGRADED = ("La messagerie instantanée fonctionne en mode dégradé : rechargez la page pour "
            "voir les nouveaux messages.")


# The database, simulated on any backend ----------------------------------------------------

@contextmanager
def database_outage():
    """Every statement fails as with the server gone (what SQLAlchemy raises then)."""
    def refuse(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    event.listen(db.engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse)


def _assert_unavailable_page(response, retry_after: str = "30") -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == retry_after
    assert response.mimetype == "text/html"
    assert UNAVAILABLE in response.get_data(as_text=True).replace("&#39;", "'")


def test_pages_answer_503_while_the_database_is_away(app, client, member):
    login(client, member)
    email = member.email
    with database_outage():
        started = time.monotonic()
        _assert_unavailable_page(client.get("/"))  # the member's session cannot be loaded
        _assert_unavailable_page(client.get("/chat"))
        assert time.monotonic() - started < 2
        # A rate-limited route: Flask-Limiter raises Retry-After to its window's reset.
        anonymous = app.test_client()
        _assert_unavailable_page(anonymous.post("/connexion", data={
            "email": email, "password": PASSWORD}), retry_after="60")
    assert client.get("/").status_code == 200


def test_json_callers_get_json(app, client, member):
    login(client, member)
    with database_outage():
        response = client.get("/chat/non-lus", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"] == "unavailable"
    assert response.get_json()["ok"] is False


@pytest.mark.parametrize("logged_in", [False, True])
def test_healthz_answers_503_whoever_asks(app, client, member, logged_in):
    if logged_in:
        login(client, member)
    with database_outage():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}
    assert response.headers["Retry-After"] == "30"
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("error", [
    OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    DisconnectionError("connection invalidated"),
    psycopg.OperationalError("connection timeout expired"),
], ids=["sqlalchemy", "disconnection", "psycopg"])
def test_every_connection_level_error_is_a_503(app, client, error):
    def fails():
        raise error

    app.add_url_rule("/test-database-error", "test_database_error", fails)
    with patch.object(web, "PUBLIC_ENDPOINTS", web.PUBLIC_ENDPOINTS | {"test_database_error"}):
        _assert_unavailable_page(client.get("/test-database-error"))
        response = client.get("/test-database-error", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json()["error"] == "unavailable"


def test_other_database_errors_stay_500(app, client):
    def fails():
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    app.add_url_rule("/test-integrity-error", "test_integrity_error", fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with patch.object(web, "PUBLIC_ENDPOINTS", web.PUBLIC_ENDPOINTS | {"test_integrity_error"}):
        response = client.get("/test-integrity-error")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_socket_events_ack_unavailable(app, member):
    channel_id = create_channel(member, "Accueil").id
    sock = socket_for(app, member)
    with database_outage():
        answer = ack(sock, "chat:send", {"channel_id": channel_id, "body": "Bonjour",
                                         "client_id": client_id()})
    assert answer == {"ok": False, "error": "unavailable", "message": UNAVAILABLE}
    answer = ack(sock, "chat:send", {"channel_id": channel_id, "body": "Bonjour",
                                     "client_id": client_id()})
    assert answer["ok"] is True


def test_postgresql_connections_have_a_connect_timeout():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql://u@h/db"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"connect_timeout": 2}
    assert options["pool_pre_ping"] is True
    sqlite = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "connect_args" not in sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]


# The database, for real: PostgreSQL behind a TCP proxy the test cuts ------------------------

class CuttableProxy:
    """localhost:<port> -> upstream. `cut()` closes every connection and refuses new ones
    (as a server gone down); `restore()` listens again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # closed by cut()
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown() first: a close() alone leaves the socket listening while another
            # thread is blocked in accept() on it.
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def own_postgresql_database():
    """A database of this test's own on the server of TEST_DATABASE_URL, dropped after."""
    if not PG_URL.startswith("postgres"):
        pytest.skip("TEST_DATABASE_URL does not point to PostgreSQL (no server to cut)")
    server = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"failure_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_cut_then_restored_behind_a_proxy(own_postgresql_database, tmp_path):
    url = own_postgresql_database
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(host="127.0.0.1", port=proxy.port)
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": proxied.render_as_string(hide_password=False),
        "UPLOAD_DIR": str(tmp_path / "uploads")})
    app.test_client_class = FreshRequestClient
    try:
        with app.app_context():
            db.create_all()
            with transaction():
                taxonomy.sync_terms(taxonomy.read_file(app.config["TAXONOMY_FILE"]))
            member = make_user()
            client = app.test_client()
            assert login(client, member).status_code == 302
            assert client.get("/").status_code == 200

            proxy.cut()
            for path in ("/", "/chat", "/annuaire"):
                started = time.monotonic()
                response = client.get(path)
                assert time.monotonic() - started < 2, path
                _assert_unavailable_page(response)
            health = client.get("/healthz")
            assert health.status_code == 503
            assert health.get_json()["database"] == "unavailable"

            proxy.restore()  # no restart: the pool replaces its dead connections
            assert client.get("/").status_code == 200
            assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
            db.session.remove()
            db.engine.dispose()
    finally:
        proxy.cut()


# Redis -------------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url():
    """No Redis; tests parametrize it: "down" (a closed local port) or a real URL."""
    return None


@pytest.fixture
def app_overrides(redis_url):
    if redis_url is None:
        return {}
    url = dead_redis() if redis_url == "down" else redis_url
    return {"REDIS_URL": url, "RATELIMIT_STORAGE_URI": url, "LOGIN_RATE_LIMIT": "3 per minute",
            "REDIS_KEY_PREFIX": f"test-failures-{uuid.uuid4().hex}",
            "RATELIMIT_KEY_PREFIX": f"test-failures-{uuid.uuid4().hex}",
            # Flask-SocketIO's Redis queue keeps a listening thread that would outlive the
            # test; with Redis down, python-socketio logs a failed publish and goes on.
            "SOCKETIO_MESSAGE_QUEUE": None,
            "CHAT_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def app(tmp_path, app_overrides, redis_url):
    """tests/conftest.py's app, whose limiter.reset() cannot reach a Redis that is down."""
    app = create_app("testing", {"UPLOAD_DIR": str(tmp_path / "uploads"), **app_overrides})
    app.test_client_class = FreshRequestClient
    with app.app_context():
        _fresh_database()
        with transaction():
            taxonomy.sync_terms(taxonomy.read_file(app.config["TAXONOMY_FILE"]))
        with suppress(RedisConnectionError):
            limiter.reset()
        yield app
        db.session.remove()
        if db.engine.dialect.name == "sqlite":
            db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _limiter_state_is_per_test():
    yield
    limiter._storage_dead = False  # the singleton remembers a dead storage across apps


def dead_redis() -> str:
    return f"redis://127.0.0.1:{_closed_port()}/0"


@pytest.mark.parametrize("redis_url", ["down"])
def test_login_and_pages_work_without_redis(app, member):
    client = app.test_client()
    assert login(client, member).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/annuaire").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "database": "ok", "redis": "unavailable"}


@pytest.mark.parametrize("redis_url", ["down"])
def test_login_limit_still_applies_in_memory_without_redis(app, member):
    client = app.test_client()
    for _ in range(3):
        assert client.post("/connexion", data={"email": member.email,
                                               "password": "x" * 12}).status_code == 200
    assert client.post("/connexion", data={"email": member.email,
                                           "password": "x" * 12}).status_code == 429


@pytest.mark.parametrize("redis_url", ["down"])
def test_chat_says_live_delivery_is_degraded_and_still_sends(app, member):
    channel = create_channel(member, "Accueil")
    client = app.test_client()
    login(client, member)
    page = client.get(f"/chat/{channel.id}")
    assert page.status_code == 200
    assert DEGRADED in page.get_data(as_text=True)
    assert client.get("/chat").status_code == 200
    sent = client.post(f"/chat/{channel.id}", data={"body": "Toujours là",
                                                    "client_id": client_id()})
    assert sent.status_code == 302
    sock = socket_for(app, member)
    answer = ack(sock, "chat:send", {"channel_id": channel.id, "body": "Par le socket",
                                     "client_id": client_id()})
    assert answer["ok"] is True
    assert "Toujours là" in client.get(f"/chat/{channel.id}").get_data(as_text=True)


def test_no_banner_and_no_redis_entry_without_redis(app, member):
    channel = create_channel(member, "Accueil")
    client = app.test_client()
    login(client, member)
    assert DEGRADED not in client.get(f"/chat/{channel.id}").get_data(as_text=True)
    assert "redis" not in client.get("/healthz").get_json()


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or ""


@pytest.mark.skipif(not TEST_REDIS_URL, reason="TEST_REDIS_URL not set (no local Redis)")
@pytest.mark.parametrize("redis_url", [TEST_REDIS_URL])
def test_healthz_and_chat_with_redis_answering(app, member):
    channel = create_channel(member, "Accueil")
    client = app.test_client()
    login(client, member)
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok",
                                                 "redis": "ok"}
    page = client.get(f"/chat/{channel.id}")
    assert page.status_code == 200
    assert DEGRADED not in page.get_data(as_text=True)


@pytest.mark.parametrize("redis_url", ["down"])
def test_chat_rate_limit_falls_back_to_memory_when_first_to_notice(app, member):
    """Chat counts its limit itself (limiter.limiter); if no limited route noticed the outage
    before, that count falls back too, and the limit is still enforced."""
    app.config["CHAT_RATE_LIMIT"] = "2 per minute"
    channel_id = create_channel(member, "Accueil").id
    sock = socket_for(app, member)
    limiter._storage_dead = False  # logging in noticed the outage: forget it
    answers = [ack(sock, "chat:send", {"channel_id": channel_id, "body": f"Message {n}",
                                       "client_id": client_id()}) for n in range(3)]
    assert [a["ok"] for a in answers] == [True, True, False]
    assert answers[2]["error"] == "rate_limited"
    assert limiter._storage_dead is True
