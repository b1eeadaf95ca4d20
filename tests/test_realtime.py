"""Socket.IO connection policy and the after-commit publisher."""

from __future__ import annotations

import pytest
from flask import request

from app.accounts import services
from app.db import transaction
from app.extensions import db, socketio
from app.realtime import join, publish, user_room
from tests.conftest import login
from tests.helpers import capture_events


def _socket(app, client):
    return socketio.test_client(app, flask_test_client=client)


def test_anonymous_socket_is_refused(app, client):
    assert not _socket(app, client).is_connected()


def test_member_socket_joins_their_own_room(app, client, member):
    login(client, member)
    socket = _socket(app, client)
    assert socket.is_connected()
    with transaction():
        publish(user_room(member.id), "notification", {"type": "notification", "op": "add"})
    received = socket.get_received()
    assert [(r["name"], r["args"][0]["op"]) for r in received] == [("notification", "add")]


def test_events_leave_only_after_commit(app, client, member):
    login(client, member)
    socket = _socket(app, client)
    with pytest.raises(RuntimeError), transaction():
        publish(user_room(member.id), "notification", {"type": "notification", "op": "add"})
        raise RuntimeError("rolled back")
    assert socket.get_received() == []
    publish(user_room(member.id), "notification", {"type": "notification", "op": "add"})
    assert socket.get_received() == []
    db.session.commit()
    assert len(socket.get_received()) == 1


def test_foreign_origin_is_refused(app, client, member):
    login(client, member)
    socket = socketio.test_client(app, flask_test_client=client,
                                  headers={"Origin": "https://evil.example"})
    assert not socket.is_connected()


def test_suspension_tells_open_tabs_and_refuses_new_sockets(app, client, member, admin):
    login(client, member)
    socket = _socket(app, client)
    with capture_events(1) as events, transaction():
        services.check_change_status(admin, member, "suspended")
    assert events[0]["event"] == "session:ended"
    assert events[0]["room"] == user_room(member.id)
    assert events[0]["payload"] == {"type": "session", "op": "ended"}
    # Its sockets are closed at once (after the event), new ones are refused.
    assert not socket.is_connected()
    assert not _socket(app, client).is_connected()


def test_a_socket_gone_mid_event_has_nothing_to_join(app, client, member):
    """A page left while its join was handled: no error, and a live socket still joins."""
    with app.test_request_context():  # no socket at all in this process yet
        request.sid, request.namespace = "vanished-socket", "/"
        join("wall:1")  # python-socketio would raise ValueError
    login(client, member)
    live = socketio.test_client(app, flask_test_client=client)
    with app.test_request_context():
        request.sid, request.namespace = "vanished-socket", "/"
        join("wall:1")  # python-socketio would raise KeyError for this unknown sid
        request.sid = request_sid(live)
        join("wall:1")
    participants = {sid for sid, _eio in socketio.server.manager.get_participants("/", "wall:1")}
    assert participants == {request_sid(live)}
    live.disconnect()


def request_sid(test_client) -> str:
    return socketio.server.manager.sid_from_eio_sid(test_client.eio_sid, "/")
