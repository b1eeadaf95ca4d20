"""The one way services push live events: publish(room, event, payload), sent after commit.

Events are queued on the SQLAlchemy session and emitted by its after_commit hook, so a
rolled-back write sends nothing. With REDIS_URL, Flask-SocketIO's message queue carries them
to every server process.
"""

from __future__ import annotations

from typing import Any

from flask import request
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


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    """Browsers send Origin on WebSocket and polling requests; a foreign one is refused."""
    if origin is None:
        return True
    return origin.rstrip("/") in allowed


def register_handlers(app) -> None:
    allowed = {app.config["BASE_URL"]}

    @socketio.on("connect")
    def on_connect(auth=None):
        origins = allowed | {request.host_url.rstrip("/")}
        if not origin_allowed(request.headers.get("Origin"), sorted(origins)):
            return False
        if not can(current_user, "realtime.connect"):
            return False
        join_room(user_room(current_user.id))
        return True
