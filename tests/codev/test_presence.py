"""Who is in a session's room: sockets counted per member, cleaned up on disconnect; in
memory (one process) and in Redis (several processes, where a killed process's sockets
stop counting once its heartbeat expires)."""

from __future__ import annotations

import os
import uuid

import pytest

from app.codev.presence import MemoryPresence, RedisPresence, get_presence
from tests.codev.conftest import ack, socket_for

REDIS_URL = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (no local Redis)")


def _redis_store(prefix=None):
    store = RedisPresence(REDIS_URL, prefix=prefix or f"test-{uuid.uuid4().hex}:")
    store.heartbeat()
    return store


STORES = [pytest.param(MemoryPresence, id="memory"),
          pytest.param(_redis_store, id="redis", marks=needs_redis)]


@pytest.mark.parametrize("make", STORES)
def test_sockets_in_rooms(make):
    store = make()
    store.join(1, "a1", 10)
    store.join(1, "a2", 10)  # a second tab
    store.join(1, "b", 20)
    store.join(2, "b", 20)
    assert store.present(1) == {10, 20} and store.present(2) == {20}
    assert store.leave(1, "a1") is True
    assert store.leave(1, "a1") is False  # already out: nothing to announce
    assert store.present(1) == {10, 20}  # the second tab is still there
    assert store.disconnect("b") == {1, 2}
    assert store.present(1) == {10} and store.present(2) == set()
    assert store.disconnect("b") == set()
    store.leave(1, "a2")
    assert store.present(1) == set()


@needs_redis
def test_processes_agree_and_a_killed_process_stops_counting():
    prefix = f"test-{uuid.uuid4().hex}:"
    a, b = _redis_store(prefix), _redis_store(prefix)
    a.join(5, "sid-a", 7)
    b.join(5, "sid-b", 8)
    assert a.present(5) == b.present(5) == {7, 8}
    # Process a is killed: nothing cleans up after it, but once its heartbeat key is gone
    # (PROCESS_TTL) its socket no longer counts, and its field is removed.
    a.redis.delete(a._process_key(a.process))
    assert b.present(5) == {8}
    assert b.redis.hgetall(b._key(5)) == {"sid-b": f"{b.process}|8"}


@needs_redis
def test_keys_carry_the_deployments_prefix():
    store = _redis_store("deployment-x:")
    store.join(3, "s", 4)
    try:
        assert store.redis.hgetall("deployment-x:codev:presence:3") == {
            "s": f"{store.process}|4"}
    finally:
        store.redis.delete("deployment-x:codev:presence:3",
                           store._process_key(store.process))


class TestThroughRedis:
    """The room's sockets with REDIS_URL: the same events as in memory, and members
    connected to another process are present too."""

    pytestmark = needs_redis

    @pytest.fixture
    def app_overrides(self, tmp_path):
        return {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                "CODEV_RATE_LIMIT": "100000 per minute"}

    def test_presence_across_processes(self, app, session, people):
        store = get_presence()
        assert isinstance(store, RedisPresence)
        assert store.prefix == app.config["REDIS_KEY_PREFIX"] + ":"
        consultant = people["consultants"][0]
        elsewhere = RedisPresence(REDIS_URL, prefix=store.prefix)
        elsewhere.heartbeat()
        elsewhere.join(session.id, "sid-elsewhere", consultant.id)
        socket = socket_for(app, people["client"])
        answer = ack(socket, "codev:join", {"session_id": session.id})
        assert answer["state"]["present"] == sorted([people["client"].id, consultant.id])
        socket.get_received()
        elsewhere.redis.delete(elsewhere._process_key(elsewhere.process))
        facilitator = socket_for(app, people["facilitator"])
        ack(facilitator, "codev:join", {"session_id": session.id})
        [event] = [r["args"][0] for r in socket.get_received() if r["name"] == "codev:presence"]
        assert event["present"] == sorted([people["facilitator"].id, people["client"].id])
        facilitator.disconnect()
        [event] = [r["args"][0] for r in socket.get_received() if r["name"] == "codev:presence"]
        assert event["present"] == [people["client"].id]
