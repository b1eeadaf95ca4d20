"""Presence stores: sockets counted per member, channels being looked at, the typing
throttle; in memory (one process) and in Redis (several processes, crash-safe)."""

from __future__ import annotations

import os
import uuid

import pytest

from app.chat import presence as presence_module
from app.chat.presence import MemoryPresence, RedisPresence, aggregate

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def test_aggregate():
    assert aggregate([]) == "offline"
    assert aggregate(["away"]) == "away"
    assert aggregate(["away", "online"]) == "online"


def _redis_store(process=None):
    store = RedisPresence(REDIS_URL, prefix=f"test-{uuid.uuid4().hex}:")
    store.heartbeat()
    return store


STORES = [pytest.param(MemoryPresence, id="memory"),
          pytest.param(_redis_store, id="redis", marks=pytest.mark.skipif(
              not REDIS_URL, reason="TEST_REDIS_URL not set (no local Redis)"))]


@pytest.mark.parametrize("make", STORES)
def test_sockets_are_counted_per_member(make):
    store = make()
    assert store.connect("a1", 1) is True
    assert store.connect("a2", 1) is False  # already online
    assert store.status(1) == "online"
    assert store.set_status("a1", "away") == (1, False)
    assert store.set_status("a2", "away") == (1, True)
    assert store.status(1) == "away"
    assert store.disconnect("a1") == (1, False)
    assert store.disconnect("a2") == (1, True)
    assert store.statuses([1, 2]) == {1: "offline", 2: "offline"}
    assert store.disconnect("unknown") == (None, False)
    assert store.set_status("unknown", "away") == (None, False)


@pytest.mark.parametrize("make", STORES)
def test_viewers(make):
    store = make()
    store.connect("a", 1)
    store.connect("b", 2)
    store.view("a", 10)
    store.view("b", 10)
    store.view("b", 11)
    assert store.viewers(10) == {1, 2} and store.viewers(11) == {2}
    store.unview("b", 10)
    assert store.viewers(10) == {1}
    store.forget_viewer(2, 11)
    assert store.viewers(11) == set()
    store.disconnect("a")
    assert store.viewers(10) == set()


@pytest.mark.parametrize("make", STORES)
def test_typing_throttle(make, monkeypatch):
    store = make()
    assert store.typing_allowed(1, 10) is True
    assert store.typing_allowed(1, 10) is False
    assert store.typing_allowed(2, 10) is True
    assert store.typing_allowed(1, 11) is True


def test_memory_typing_throttle_expires(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(presence_module.time, "monotonic", lambda: now[0])
    store = MemoryPresence()
    assert store.typing_allowed(1, 10)
    now[0] += 3.1
    assert store.typing_allowed(1, 10)


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (no local Redis)")
def test_redis_processes_agree_and_a_dead_process_does_not_keep_anyone_online():
    prefix = f"test-{uuid.uuid4().hex}:"
    a, b = RedisPresence(REDIS_URL, prefix=prefix), RedisPresence(REDIS_URL, prefix=prefix)
    a.heartbeat()
    b.heartbeat()
    a.connect("sid-a", 7)
    assert b.status(7) == "online"
    assert b.connect("sid-b", 7) is False  # online through process a already
    a.view("sid-a", 3)
    assert b.viewers(3) == {7}
    assert b.sids(7) == {"sid-a", "sid-b"}
    b.disconnect("sid-b")
    assert a.status(7) == "online"
    # Process a dies without cleaning up: once its heartbeat expires, nobody is online
    # through it, and its fields are removed.
    a.redis.delete(a._process_key(a.process))
    assert b.status(7) == "offline"
    assert b.viewers(3) == set()
    assert a.redis.hgetall(a._user_key(7)) == {}


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (no local Redis)")
def test_typing_throttle_is_shared_in_redis():
    prefix = f"test-{uuid.uuid4().hex}:"
    a, b = RedisPresence(REDIS_URL, prefix=prefix), RedisPresence(REDIS_URL, prefix=prefix)
    assert a.typing_allowed(1, 2) is True
    assert b.typing_allowed(1, 2) is False
