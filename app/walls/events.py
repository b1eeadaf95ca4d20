"""Socket.IO handlers of the walls: joining a wall's room to receive its live events."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import leave_room

from .. import realtime
from ..socket_events import id_field, parse_fields, socket_handler
from . import services

MESSAGES = {
    "not_found": _l("Ce mur n'existe pas ou ne vous est pas accessible."),
}


@socket_handler("wall:join", MESSAGES)
def on_join(payload) -> dict:
    wall = services.access_wall(current_user, id_field(parse_fields(payload), "wall_id"))
    realtime.join(f"wall:{wall.id}")
    return {"ok": True}


@socket_handler("wall:leave", MESSAGES)
def on_leave(payload) -> dict:
    leave_room(f"wall:{id_field(parse_fields(payload), 'wall_id')}")
    return {"ok": True}
