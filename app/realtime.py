"""The one way services push live events: publish(room, event, payload), sent after commit.

Events are queued on the SQLAlchemy session and emitted by its after_commit hook, so a
rolled-back write sends nothing. With REDIS_URL, Flask-SocketIO's message queue carries them
to every server process.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room

from .db import on_commit
from .extensions import socketio
from .permissions import can


def publish(room: str, event_name: str, payload: dict[str, Any]) -> None:
    """Queue an event for `room`; it leaves only when the current transaction commits."""
    on_commit(lambda: socketio.emit(event_name, payload, to=room))


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def origin_allowed(origin: str | None) -> bool:
    """Same-origin only: the page's own host or the configured BASE_URL.

    Engine.IO already refuses foreign Origins on the HTTP handshake; checking again here
    keeps the rule explicit and covered by the Socket.IO test client.
    """
    if origin is None:
        return True
    allowed = {request.host_url.rstrip("/"), current_app.config["BASE_URL"]}
    return origin.rstrip("/") in allowed


def register_handlers(app) -> None:
    @socketio.on("connect")
    def on_connect(auth=None):
        if not origin_allowed(request.headers.get("Origin")):
            return False
        if not can(current_user, "realtime.connect"):
            return False
        join_room(user_room(current_user.id))
        return True
