"""Socket.IO handlers of co-development sessions (docs/realtime.md, "### Co-development"):
parse, call a service, ack.

Every handler answers `{"ok": true, ...}` or `{"ok": false, "error": <code>, "message":
<French text>}` with the stable codes forbidden, not_found, invalid, too_long,
rate_limited. A member who does not take part in a session gets not_found for it and
nothing else: no state, no room, no presence.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import leave_room

from .. import realtime
from ..db import transaction
from ..socket_events import Malformed, error_ack, id_field, parse_fields, socket_handler, text_field
from . import services
from .presence import get_presence

MESSAGES = {
    "not_found": _l("Cette session n'existe pas ou ne vous est pas accessible."),
    "forbidden": _l("Ce n'est pas possible à ce moment de la session."),
    "too_long": _l("Le texte est trop long."),
    "rate_limited": _l("Vous écrivez beaucoup d'affilée : patientez un instant."),
}


def handler(event: str) -> Callable:
    return socket_handler(event, MESSAGES)


@handler("codev:join")
def on_join(payload) -> dict:
    session_id = id_field(parse_fields(payload), "session_id")
    access = services.access_session(current_user, session_id)
    try:
        realtime.join(services.room(session_id))
    except ValueError:  # the socket went away before this queued event ran
        return error_ack("invalid")
    get_presence().join(session_id, request.sid, current_user.id)
    services.do_announce_presence(session_id)
    return {"ok": True, "state": services.state_dict(current_user, access)}


@handler("codev:leave")
def on_leave(payload) -> dict:
    session_id = id_field(parse_fields(payload), "session_id")
    _leave(request.sid, session_id)
    return {"ok": True}


def _leave(sid: str, session_id: int) -> None:
    leave_room(services.room(session_id), sid=sid)
    if get_presence().leave(session_id, sid):
        services.do_announce_presence(session_id)


@handler("codev:sync")
def on_sync(payload) -> dict:
    """The current phase and the server's time, to correct a drifting screen."""
    session_id = id_field(parse_fields(payload), "session_id")
    access = services.access_session(current_user, session_id)
    return {"ok": True, "state": services.state_dict(current_user, access)}


@handler("codev:post")
def on_post(payload) -> dict:
    fields = parse_fields(payload)
    session_id = id_field(fields, "session_id")
    source_id = id_field(fields, "source_id", required=False)
    body = text_field(fields, "body", required=source_id is None)
    with transaction():
        item = services.check_post(current_user, session_id, fields.get("kind"), body,
                                   source_id)
        answer = services.contribution_dict(item)
    return {"ok": True, "contribution": answer}


@handler("codev:edit")
def on_edit(payload) -> dict:
    fields = parse_fields(payload)
    contribution_id = id_field(fields, "contribution_id")
    body = text_field(fields, "body")
    with transaction():
        item = services.check_edit(current_user, contribution_id, body)
        answer = services.contribution_dict(item)
    return {"ok": True, "contribution": answer}


@handler("codev:delete")
def on_delete(payload) -> dict:
    contribution_id = id_field(parse_fields(payload), "contribution_id")
    with transaction():
        services.check_delete(current_user, contribution_id)
    return {"ok": True}


@handler("codev:hand")
def on_hand(payload) -> dict:
    fields = parse_fields(payload)
    session_id = id_field(fields, "session_id")
    user_id = id_field(fields, "user_id", required=False)
    with transaction():
        hands = services.check_hand(current_user, session_id, fields.get("raised"), user_id)
    return {"ok": True, "hands": hands}


@handler("codev:phase")
def on_phase(payload) -> dict:
    """The facilitator drives the timer: op start, next (with the phase index their
    screen showed) or extend (minutes)."""
    fields = parse_fields(payload)
    session_id = id_field(fields, "session_id")
    op = fields.get("op")
    with transaction():
        if op == "start":
            session = services.check_start(current_user, session_id)
        elif op == "next":
            expected = fields.get("expected_index")
            if expected is not None and (isinstance(expected, bool)
                                         or not isinstance(expected, int)):
                raise Malformed()
            session = services.check_next(current_user, session_id, expected)
        elif op == "extend":
            session = services.check_extend(current_user, session_id, fields.get("minutes"))
        else:
            raise Malformed()
        answer = services.phase_dict(session, services.phases())
        status = session.status
    return {"ok": True, "status": status, "phase": answer}


@realtime.on_disconnected
def _disconnected(user_id: int, sid: str) -> None:
    for session_id in get_presence().disconnect(sid):
        services.do_announce_presence(session_id)
