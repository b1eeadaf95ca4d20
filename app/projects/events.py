"""Socket.IO handlers of the project spaces (docs/realtime.md, "### Projects"): joining a
project's room, after the permission check, to hear of its actions, meetings and members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import leave_room

from .. import realtime
from ..socket_events import error_ack, id_field, parse_fields, socket_handler
from . import services

MESSAGES = {
    "not_found": _l("Ce projet n'existe pas ou ne vous est pas accessible."),
}


@socket_handler("project:join", MESSAGES)
def on_join(payload) -> dict:
    project_id = id_field(parse_fields(payload), "project_id")
    access = services.access_project(current_user, project_id)
    try:
        realtime.join(services.project_room(access.project.id))
    except ValueError:  # the socket went away before this queued event ran
        return error_ack("invalid")
    return {"ok": True, "member": access.is_member}


@socket_handler("project:leave", MESSAGES)
def on_leave(payload) -> dict:
    project_id = id_field(parse_fields(payload), "project_id")
    leave_room(services.project_room(project_id))
    return {"ok": True}
