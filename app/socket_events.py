"""The shape every Socket.IO handler shares (docs/realtime.md, "Acks and errors").

A handler registered with `socket_handler(event, messages)` always answers with an ack,
`{"ok": true, ...}` or `{"ok": false, "error": <code>, "message": <French text>}`, and never
raises on a malformed payload: anything that is not the documented shape is `invalid`. Each
event first checks the member again: suspended (or signed out elsewhere) since connecting,
the socket is closed. Domain errors raised by services become their stable code
(`forbidden`, `not_found`, `invalid`, `too_long`, `rate_limited`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import disconnect

from .db import DATABASE_UNAVAILABLE, valid_id
from .errors import DomainError
from .extensions import socketio
from .permissions import can
from .web import forget_database_state

DEFAULT_MESSAGES = {
    "invalid": _l("La demande n'est pas valide."),
    "forbidden": _l("Vous ne pouvez pas faire cela."),
    "not_found": _l("Ce que vous cherchez n'existe pas ou ne vous est pas accessible."),
    "session_ended": _l("Votre session a pris fin. Rechargez la page."),
    "unavailable": _l("La plateforme est momentanément indisponible, réessayez dans un "
                      "instant."),
}


class Malformed(Exception):
    """The payload does not have the documented shape."""


def error_ack(code: str, message: object = None) -> dict:
    return {"ok": False, "error": code, "message": str(message or DEFAULT_MESSAGES.get(code, ""))}


def parse_fields(payload: object) -> dict:
    if not isinstance(payload, dict):
        raise Malformed()
    return payload


def id_field(payload: dict, key: str, *, required: bool = True) -> int | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not valid_id(value):
        raise Malformed()
    return value


def text_field(payload: dict, key: str, *, required: bool = True) -> str | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise Malformed()
    return value


def socket_handler(event: str, messages: Mapping[str, object] | None = None) -> Callable:
    """Register `function(payload) -> ack` for `event`; `messages` gives the feature's own
    wording per error code. Extra positional arguments from a client are ignored."""
    wording = {**DEFAULT_MESSAGES, **(messages or {})}

    def decorate(function: Callable[[object], dict]) -> Callable:
        @wraps(function)
        def wrapper(payload=None, *_ignored):
            try:
                if not can(current_user, "realtime.connect"):
                    disconnect()
                    return error_ack("forbidden", wording["session_ended"])
                return function(payload)
            except DATABASE_UNAVAILABLE:
                # The database cannot be reached: the client may retry (web.database_unavailable).
                current_app.logger.error("database unavailable during %s", event)
                forget_database_state()
                return error_ack("unavailable", wording["unavailable"])
            except Malformed:
                return error_ack("invalid", wording.get("invalid"))
            except DomainError as error:
                return error_ack(error.code, error.message or wording.get(error.code))

        socketio.on(event)(wrapper)
        return wrapper

    return decorate
