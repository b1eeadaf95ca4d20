"""Two server processes over one PostgreSQL and one Redis: what one serves, the other hears.

Skipped unless TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL are set, as .ci/run does.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

import pytest

from tests.multiprocess.cluster import ChatSession, LiveClient, skip_reason

pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.timeout(120),
    pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or ""),
]


def _general_wall_id(cluster) -> int:
    from app.walls import services as walls

    return cluster.run(lambda: walls.general_wall().id)


def test_wall_post_published_through_b_reaches_a_member_on_a(cluster, servers):
    reader, writer = cluster.member("Lucie"), cluster.member("Marc")
    wall_id = _general_wall_id(cluster)
    live = LiveClient(reader).connect(servers["A"])
    try:
        assert live.call("wall:join", {"wall_id": wall_id}) == {"ok": True}
        response = writer.http(servers["B"]).submit(
            "/murs/general", {"kind": "discussion", "title": "", "body": "Bonjour de B !"})
        assert response.status_code == 302, response.text[:500]
        event = live.wait_for("wall:post", lambda data: data["op"] == "add")
        assert event["wall_id"] == wall_id and event["type"] == "post"
    finally:
        live.close()


# Chat ---------------------------------------------------------------------------------------


def _channel(cluster, *members) -> int:
    """A fresh public channel whose members are `members` (the first creates it)."""
    from app.accounts.models import User
    from app.chat import services as chat
    from app.db import transaction
    from app.extensions import db

    def create():
        users = [db.session.get(User, m.id) for m in members]
        with transaction():
            channel = chat.check_create_channel(
                users[0], name=f"Salon {secrets.token_hex(4)}", kind="public")
            for user in users[1:]:
                chat.do_add_member(channel, user, announce=False)
        return channel.id
    return cluster.run(create)


def test_chat_message_sent_through_b_reaches_a_member_on_a_live(cluster, servers):
    alice, bob = cluster.member("Alice"), cluster.member("Bob")
    channel_id = _channel(cluster, alice, bob)
    on_a, on_b = LiveClient(alice).connect(servers["A"]), LiveClient(bob).connect(servers["B"])
    try:
        for client in (on_a, on_b):
            assert client.call("chat:join", {"channel_id": channel_id})["ok"]
        ack = on_b.call("chat:send", {"channel_id": channel_id, "body": "Bonjour depuis B",
                                      "client_id": "live-from-b-0001"})
        assert ack["ok"], ack
        event = on_a.wait_for("chat:message",
                              lambda data: data["client_id"] == "live-from-b-0001")
        assert event["message_id"] == ack["message"]["id"] and event["author_id"] == bob.id
        [message] = on_a.call("chat:history", {"channel_id": channel_id,
                                               "ids": [event["message_id"]]})["messages"]
        assert message["author"] == {"id": bob.id, "name": "Bob"}
        assert "Bonjour depuis B" in message["body_html"] and "Bonjour depuis B" in message["html"]
    finally:
        on_a.close()
        on_b.close()


def _conversation(cluster, servers, first: ChatSession, second: ChatSession, count: int,
                  event: Callable[[], None], when: Callable[[], bool]) -> None:
    """Both sessions type `count` messages; `event()` happens once `when()` is true."""
    deadline = time.monotonic() + 60
    for session in (first, second):
        assert session.connect(), f"{session.member.name} could not connect"
    threads = [threading.Thread(target=s.converse, args=(count, 0.03, deadline), daemon=True)
               for s in (first, second)]
    for thread in threads:
        thread.start()
    while not when():
        assert time.monotonic() < deadline, "the conversation never reached its turning point"
        assert any(t.is_alive() for t in threads), "the conversation ended too early"
        time.sleep(0.01)
    event()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic() + 5))
        assert not thread.is_alive(), "a client is still talking after the deadline"
    for session in (first, second):
        session._keep_connected()
        # Acks lost on the way (the kill makes that likely, this makes it certain): resent
        # messages come back as the same message and nothing new is stored or broadcast.
        session.resend_acknowledged(3)
        # Live events may still be on their way to one client: each catches up once more.
        session.catch_up()
        print(session.summary())


def _assert_nothing_lost(first: ChatSession, second: ChatSession, count: int) -> None:
    history = first.history()
    ids = [m["id"] for m in history]
    client_ids = [m["client_id"] for m in history]
    assert ids == sorted(set(ids)), "history ids must increase, without duplicates"
    assert len(set(client_ids)) == len(client_ids), "a client_id stored twice"
    # The same messages; each member's `html` is their own copy (their own messages carry
    # "Modifier"), so the data is compared, not the markup.
    data = [{k: v for k, v in m.items() if k != "html"} for m in history]
    assert [{k: v for k, v in m.items() if k != "html"} for m in second.history()] == data, \
        "both members must read the same history"
    by_client_id = dict(zip(client_ids, ids, strict=True))
    for session in (first, second):
        assert session.problems == [], session.problems
        assert session.pending == {}, f"{session.member.name} still has unsent messages"
        assert len(session.acked) == count, f"{session.member.name}: not all acknowledged"
        for client_id, message_id in session.acked.items():
            assert by_client_id.get(client_id) == message_id, \
                f"acknowledged {client_id} (id {message_id}) missing or renumbered"
        assert sorted(session.shown) == ids, \
            f"{session.member.name} shows {len(session.shown)} messages, history has {len(ids)}"
    assert len(history) == 2 * count


def _crash_and_restart(server, down_for: float) -> None:
    """kill -9 (master and worker), down for a moment, then the same command, same port."""
    server.kill()
    time.sleep(down_for)
    server.start(30)


def test_restart_mid_conversation_loses_and_duplicates_nothing(cluster, servers):
    """kill -9 of server A while both members talk through it: Alice comes back to A once
    it has restarted, Bob moves to B; what was acknowledged is there once, in order."""
    alice, bob = cluster.member("Alice"), cluster.member("Bob")
    channel_id = _channel(cluster, alice, bob)
    tag = secrets.token_hex(3)
    first = ChatSession(alice, channel_id, servers["A"], tag)
    second = ChatSession(bob, channel_id, servers["A"], tag)
    second.failover = servers["B"]
    count = 40
    try:
        _conversation(
            cluster, servers, first, second, count,
            event=lambda: _crash_and_restart(servers["A"], down_for=0.5),
            when=lambda: len(first.acked) >= 10 and len(second.acked) >= 10)
        assert first.disconnects >= 1 and second.disconnects >= 1, "A was not killed in time"
        assert first.typed_offline + second.typed_offline > 0, "nobody typed while offline"
        assert first.server is servers["A"] and second.server is servers["B"]
        assert len(first.acked) == count, first.pending
        _assert_nothing_lost(first, second, count)
    finally:
        first.close()
        second.close()


def test_client_moving_between_processes_loses_nothing(cluster, servers):
    """Alice talks through A, Bob through B; mid-conversation Alice moves to B."""
    alice, bob = cluster.member("Alice"), cluster.member("Bob")
    channel_id = _channel(cluster, alice, bob)
    tag = secrets.token_hex(3)
    first = ChatSession(alice, channel_id, servers["A"], tag)
    second = ChatSession(bob, channel_id, servers["B"], tag)
    count = 30

    def move() -> None:
        first.move_to = servers["B"]

    try:
        _conversation(cluster, servers, first, second, count, event=move,
                      when=lambda: len(first.acked) >= 10)
        assert first.server is servers["B"] and first.connections >= 2
        _assert_nothing_lost(first, second, count)
    finally:
        first.close()
        second.close()


def test_burst_of_reconnections_is_served(cluster, servers):
    """After a restart every member of a process reconnects at once: 32 sockets arriving
    together (more than the 15 connections of the database pool) must all be accepted and
    join their channel within seconds — a connect handler that holds one connection while
    it waits for a second deadlocks the pool."""
    members = [cluster.member(f"Membre{n}") for n in range(32)]
    channel_id = _channel(cluster, *members)
    clients = [LiveClient(member) for member in members]
    outcomes: dict[int, object] = {}

    def arrive(n: int) -> None:
        try:
            clients[n].connect(servers["A"])
            outcomes[n] = clients[n].call("chat:join", {"channel_id": channel_id}, timeout=10)
        except Exception as error:  # noqa: BLE001 - reported below
            outcomes[n] = error

    threads = [threading.Thread(target=arrive, args=(n,), daemon=True)
               for n in range(len(clients))]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.1, started + 25 - time.monotonic()))
        elapsed = time.monotonic() - started
        failed = {n: outcome for n, outcome in outcomes.items()
                  if not (isinstance(outcome, dict) and outcome.get("ok"))}
        assert len(outcomes) == len(clients) and not failed, \
            f"{len(failed) + len(clients) - len(outcomes)} of {len(clients)} not served: " \
            f"{list(failed.values())[:3]}"
        assert elapsed < 15, f"{len(clients)} connections took {elapsed:.1f} s"
    finally:
        for client in clients:
            client.close()
