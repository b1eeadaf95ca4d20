"""Socket.IO handlers of the chat (docs/realtime.md, "### Chat"): parse, call a service, ack.

Every handler answers with an ack, `{"ok": true, ...}` or `{"ok": false, "error": <code>,
"message": <French text>}`, and never raises on a malformed payload: anything that is not
the documented shape is `invalid`. Each event first checks the member again (suspended
since connecting: the socket is closed), and connecting / disconnecting feeds presence.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import leave_room

from .. import realtime
from ..db import transaction, valid_id
from ..socket_events import Malformed, error_ack, id_field, parse_fields, socket_handler, text_field
from . import services
from .fragments import message_payloads
from .presence import get_presence

MESSAGES = {
    "not_found": _l("Ce salon n'existe pas ou ne vous est pas accessible."),
    "forbidden": _l("Vous ne pouvez pas faire cela dans ce salon."),
    "too_long": _l("Le message est trop long."),
    "rate_limited": _l("Vous envoyez beaucoup de messages d'affilée : patientez un instant."),
}


def handler(event: str) -> Callable:
    return socket_handler(event, MESSAGES)


def _room(channel_id: int) -> str:
    return f"channel:{channel_id}"


@handler("chat:join")
def on_join(payload) -> dict:
    channel_id = id_field(parse_fields(payload), "channel_id")
    access = services.access_channel(current_user, channel_id)
    channel = services.channel_dict(current_user, access)
    try:
        realtime.join(_room(channel_id))
    except ValueError:  # the socket went away (reload) before this queued event ran
        return error_ack("invalid")
    get_presence().view(request.sid, channel_id)
    return {"ok": True, "channel": channel}


@handler("chat:leave")
def on_leave(payload) -> dict:
    channel_id = id_field(parse_fields(payload), "channel_id")
    leave_room(_room(channel_id))
    get_presence().unview(request.sid, channel_id)
    return {"ok": True}


@handler("chat:send")
def on_send(payload) -> dict:
    fields = parse_fields(payload)
    channel_id = id_field(fields, "channel_id")
    body = text_field(fields, "body")
    client_id = text_field(fields, "client_id")
    with transaction():
        sent = services.check_send(current_user, channel_id, body, client_id)
        [message] = message_payloads(current_user, sent.access, [sent.message])
    return {"ok": True, "message": message}


@handler("chat:history")
def on_history(payload) -> dict:
    fields = parse_fields(payload)
    channel_id = id_field(fields, "channel_id")
    before_id = id_field(fields, "before_id", required=False)
    after_id = id_field(fields, "after_id", required=False)
    ids = _ids_field(fields)
    limit = fields.get("limit", services.HISTORY_DEFAULT)
    if limit is None:
        limit = services.HISTORY_DEFAULT
    if isinstance(limit, bool) or not isinstance(limit, int) \
            or not 1 <= limit <= services.HISTORY_MAX \
            or sum(value is not None for value in (before_id, after_id, ids)) > 1:
        raise Malformed()
    page = services.access_history_page(current_user, channel_id, before_id=before_id,
                                        after_id=after_id, ids=ids, limit=limit)
    return {"ok": True, "has_more": page.has_more,
            "messages": message_payloads(current_user, page.access, page.messages)}


def _ids_field(fields: dict) -> list[int] | None:
    """`ids`: 1 to HISTORY_MAX message ids, or absent."""
    ids = fields.get("ids")
    if ids is None:
        return None
    if not isinstance(ids, list) or not 1 <= len(ids) <= services.HISTORY_MAX \
            or not all(valid_id(value) for value in ids):
        raise Malformed()
    return ids


@handler("chat:read")
def on_read(payload) -> dict:
    fields = parse_fields(payload)
    channel_id = id_field(fields, "channel_id")
    last_read_id = id_field(fields, "last_read_id")
    with transaction():
        counts = services.check_read(current_user, channel_id, last_read_id)
    return {"ok": True, "unread": counts.channels.get(channel_id, 0),
            "total_unread": counts.total}


@handler("chat:typing")
def on_typing(payload) -> dict:
    channel_id = id_field(parse_fields(payload), "channel_id")
    with transaction():
        services.check_typing(current_user, channel_id)
    return {"ok": True}


@handler("chat:edit")
def on_edit(payload) -> dict:
    fields = parse_fields(payload)
    message_id = id_field(fields, "message_id")
    body = text_field(fields, "body")
    with transaction():
        edited = services.check_edit(current_user, message_id, body)
        target = services.access_message(current_user, edited.id)
        [message] = message_payloads(current_user, target.access, [edited])
    return {"ok": True, "message": message}


@handler("chat:delete")
def on_delete(payload) -> dict:
    fields = parse_fields(payload)
    message_id = id_field(fields, "message_id")
    reason = text_field(fields, "reason", required=False) or ""
    with transaction():
        services.check_delete(current_user, message_id, reason)
    return {"ok": True}


@handler("presence:set")
def on_presence(payload) -> dict:
    status = parse_fields(payload).get("status")
    if status not in ("online", "away"):
        raise Malformed()
    user_id, changed = get_presence().set_status(request.sid, status)
    if changed and user_id is not None:
        services.do_publish_presence(user_id, status)
    return {"ok": True}


# Connections ------------------------------------------------------------------------------

@realtime.on_connected
def _connected(user, sid: str) -> None:
    presence = get_presence()
    if presence.connect(sid, user.id):
        services.do_publish_presence(user.id, presence.status(user.id))


@realtime.on_disconnected
def _disconnected(user_id: int, sid: str) -> None:
    presence = get_presence()
    user_id, changed = presence.disconnect(sid)
    if changed and user_id is not None:
        services.do_publish_presence(user_id, presence.status(user_id))


def _all_sids(user_id: int) -> set[str]:
    """Sockets of the member in every process (Redis presence), for the suspension."""
    if not current_app.config.get("REDIS_URL"):
        return set()
    return get_presence().sids(user_id)


realtime.add_sid_finder(_all_sids)
