"""Socket.IO handlers of the walls: joining a wall's room to receive its live events."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room, leave_room

from ..errors import DomainError
from ..extensions import socketio
from . import services

MAX_ID = 2**31 - 1


def _wall_id(payload) -> int | None:
    value = payload.get("wall_id") if isinstance(payload, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


@socketio.on("wall:join")
def on_join(payload=None):
    wall_id = _wall_id(payload)
    if wall_id is None:
        return {"ok": False, "error": "invalid"}
    try:
        wall = services.access_wall(current_user, wall_id)
    except DomainError as error:
        return {"ok": False, "error": error.code}
    join_room(f"wall:{wall.id}")
    return {"ok": True}


@socketio.on("wall:leave")
def on_leave(payload=None):
    wall_id = _wall_id(payload)
    if wall_id is None:
        return {"ok": False, "error": "invalid"}
    leave_room(f"wall:{wall_id}")
    return {"ok": True}
