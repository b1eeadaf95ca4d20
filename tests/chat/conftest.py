"""Chat fixtures: a few members, channels made through the services, sockets."""

from __future__ import annotations

import itertools
import uuid

import pytest
from flask import g
from flask_socketio.test_client import SocketIOTestClient

from app.chat import services
from app.db import transaction
from app.extensions import socketio
from tests.conftest import login
from tests.factories import make_user

_n = itertools.count(1)


@pytest.fixture
def app_overrides(tmp_path):
    """Tests send many messages quickly; the rate limit tests lower it themselves."""
    return {"CHAT_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def other(app):
    return make_user(name="Hélène Garnier", email="helene@exemple.fr")


@pytest.fixture
def third(app):
    return make_user(name="Karim Haddad", email="karim@exemple.fr")


@pytest.fixture
def outsider(app):
    return make_user(name="Olivier Dehors", email="olivier@exemple.fr")


def client_id() -> str:
    return uuid.uuid4().hex


def create_channel(actor, name=None, kind="public", topic=""):
    with transaction():
        channel = services.check_create_channel(actor, name or f"Salon {next(_n)}", topic, kind)
    return channel


def join(user, channel):
    with transaction():
        services.check_join(user, channel.id)


def invite(actor, channel, *users):
    with transaction():
        services.check_invite(actor, channel.id, [u.id for u in users])


def send(user, channel, body="Bonjour à toutes et tous", cid=None):
    with transaction():
        sent = services.check_send(user, channel.id, body, cid or client_id())
    return sent.message


def direct(actor, *users):
    with transaction():
        return services.check_open_direct(actor, [u.id for u in users])


@pytest.fixture
def public(app, member, other):
    """"Accueil": a public channel of `member` (admin) that `other` joined."""
    channel = create_channel(member, "Accueil", topic="Pour se présenter")
    join(other, channel)
    return channel


@pytest.fixture
def private(app, member, other):
    """A private channel of `member` with `other` invited."""
    channel = create_channel(member, "Comité de pilotage", kind="private")
    invite(member, channel, other)
    return channel


def _fresh_g() -> None:
    for key in list(vars(g)):
        delattr(g, key)


class FreshSocketClient(SocketIOTestClient):
    """Each event starts with an empty `g`, as in production (see FreshRequestClient):
    the test keeps one app context open, and Flask-Login caches the user on `g`, so
    without this one member's socket would act as the last member loaded."""

    def connect(self, *args, **kwargs):
        _fresh_g()
        return super().connect(*args, **kwargs)

    def emit(self, *args, **kwargs):
        _fresh_g()
        return super().emit(*args, **kwargs)

    def disconnect(self, *args, **kwargs):
        _fresh_g()
        return super().disconnect(*args, **kwargs)


def new_socket(app, http):
    return FreshSocketClient(app, socketio, flask_test_client=http)


def socket_for(app, user):
    """A logged-in Flask test client and its Socket.IO connection."""
    http = app.test_client()
    login(http, user)
    socket = new_socket(app, http)
    assert socket.is_connected()
    return socket


def ack(socket, event, *args):
    return socket.emit(event, *args, callback=True)


def received(socket, name=None):
    items = socket.get_received()
    return [r["args"][0] if r["args"] else None for r in items
            if name is None or r["name"] == name]
