"""Presence kept in Redis, as with several server processes: the same socket events,
and the suspension finds the member's sockets through it."""

from __future__ import annotations

import os
import uuid

import pytest

from app.accounts import services as accounts
from app.chat import services
from app.chat.presence import RedisPresence, get_presence
from app.db import transaction
from app.extensions import socketio
from tests.chat.conftest import ack, socket_for

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (no local Redis)")


@pytest.fixture
def app_overrides(tmp_path):
    return {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "CHAT_RATE_LIMIT": "1000 per minute"}


def test_presence_through_redis(app, member, other, public):
    assert isinstance(get_presence(), RedisPresence)
    watcher = socket_for(app, other)
    first, second = socket_for(app, member), socket_for(app, member)
    statuses = [r["args"][0]["status"] for r in watcher.get_received()
                if r["name"] == "presence"]
    assert statuses == ["online"]
    first.disconnect()
    assert services.statuses([member.id]) == {member.id: "online"}
    assert ack(second, "chat:join", {"channel_id": public.id})["ok"]
    assert get_presence().viewers(public.id) == {member.id}
    second.disconnect()
    assert services.statuses([member.id]) == {member.id: "offline"}
    assert get_presence().viewers(public.id) == set()


def test_suspension_closes_sockets_known_to_redis(app, member, other, admin, public,
                                                  monkeypatch):
    socket = socket_for(app, other)
    # A socket of this member on another process, as Redis knows it: with the message
    # queue, python-socketio forwards its disconnection to that process.
    store = get_presence()
    elsewhere = RedisPresence(REDIS_URL, prefix=app.config["REDIS_KEY_PREFIX"] + ":")
    elsewhere.heartbeat()
    elsewhere.connect("sid-elsewhere", other.id)
    closed = []
    real = socketio.server.disconnect
    monkeypatch.setattr(socketio.server, "disconnect",
                        lambda sid, namespace=None: (closed.append(sid), real(sid, namespace)))
    with transaction():
        accounts.check_change_status(admin, other, "suspended")
    assert not socket.is_connected()
    assert "sid-elsewhere" in closed and len(closed) == 2
    assert store.status(other.id) == "online"  # until that process handles it
    elsewhere.disconnect("sid-elsewhere")
    assert store.status(other.id) == "offline"
