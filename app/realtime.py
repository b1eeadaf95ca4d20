"""The one way services push live events: publish(room, event, payload), sent after commit.

Events are queued on the SQLAlchemy session and emitted by its after_commit hook, so a
rolled-back write sends nothing. With REDIS_URL, Flask-SocketIO's message queue carries them
to every server process.

This module also owns the connection itself: the connect handler (who may connect), a
registry of this process's sockets per member, small hooks for features that follow
connections (chat presence), and the end of a member's sockets when their session ends.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room

from .db import on_commit
from .extensions import socketio
from .permissions import can

SESSION_ENDED = "session:ended"

# Features that follow connections register here (at import time, before init_app):
# connect hooks get (user, sid), disconnect hooks (user_id, sid), sid finders (user_id) ->
# sids of that member in other processes too (a shared store such as chat presence).
_connect_hooks: list[Callable[[Any, str], None]] = []
_disconnect_hooks: list[Callable[[int, str], None]] = []
_sid_finders: list[Callable[[int], Iterable[str]]] = []


def on_connected(hook: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
    _connect_hooks.append(hook)
    return hook


def on_disconnected(hook: Callable[[int, str], None]) -> Callable[[int, str], None]:
    _disconnect_hooks.append(hook)
    return hook


def add_sid_finder(finder: Callable[[int], Iterable[str]]) -> None:
    _sid_finders.append(finder)


def publish(room: str, event_name: str, payload: dict[str, Any], *,
            skip_sid: str | list[str] | None = None) -> None:
    """Queue an event for `room`; it leaves only when the current transaction commits.

    `skip_sid`: sockets that must not receive it (e.g. the typist's own tabs).
    """
    on_commit(lambda: _send(room, event_name, payload, skip_sid))


def emit_now(room: str, event_name: str, payload: dict[str, Any]) -> None:
    """Send at once an event about live state that is not stored (presence): there is no
    transaction to wait for. Everything written to the database goes through `publish`."""
    _send(room, event_name, payload, None)


def _send(room: str, event_name: str, payload: dict[str, Any],
          skip_sid: str | list[str] | None) -> None:
    if skip_sid:
        socketio.emit(event_name, payload, to=room, skip_sid=skip_sid)
    else:
        socketio.emit(event_name, payload, to=room)
    if event_name == SESSION_ENDED and room.startswith("user:"):
        # Tabs were told to reload; their sockets end now rather than on their next event.
        disconnect_user(int(room.removeprefix("user:")))


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


# This process's sockets ------------------------------------------------------------------

class SocketRegistry:
    """sid <-> member for the sockets connected to this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._user_of: dict[str, int] = {}
        self._sids: dict[int, set[str]] = defaultdict(set)

    def add(self, sid: str, user_id: int) -> None:
        with self._lock:
            self._user_of[sid] = user_id
            self._sids[user_id].add(sid)

    def remove(self, sid: str) -> int | None:
        with self._lock:
            user_id = self._user_of.pop(sid, None)
            if user_id is not None:
                self._sids[user_id].discard(sid)
                if not self._sids[user_id]:
                    del self._sids[user_id]
            return user_id

    def sids(self, user_id: int) -> set[str]:
        with self._lock:
            return set(self._sids.get(user_id, ()))


def sockets() -> SocketRegistry:
    return current_app.extensions.setdefault("realtime.sockets", SocketRegistry())


def user_sids(user_id: int) -> set[str]:
    """The member's sockets: this process's, plus those other processes share through a
    registered finder (none in the embedded default, where there is one process)."""
    sids = sockets().sids(user_id)
    for finder in _sid_finders:
        try:
            sids |= set(finder(user_id))
        except Exception:  # the shared store is away: this process's sockets still end
            current_app.logger.exception("realtime: sockets of member %s not found", user_id)
    return sids


def disconnect_user(user_id: int) -> None:
    """End every socket of a member (suspension). With the Redis message queue, sockets of
    other processes are reached through it; sockets no finder knows of are refused on
    their next event, since every handler checks the member again."""
    for sid in sorted(user_sids(user_id)):
        socketio.server.disconnect(sid, namespace="/")


def join(room: str) -> None:
    """Put the socket of the event being handled in `room`. A socket that disconnected
    while its event was handled (a page left mid-join) has nothing left to join:
    python-socketio raises KeyError (or ValueError, when it was this process's last
    socket) for it, which is not an error here."""
    try:
        join_room(room)
    except (KeyError, ValueError):
        if socketio.server.manager.is_connected(request.sid, request.namespace):
            raise


def leave_room_after_commit(user_id: int, room: str) -> None:
    """Take a member's sockets out of a room once the current transaction commits."""
    def leave() -> None:
        for sid in sorted(user_sids(user_id)):
            socketio.server.leave_room(sid, room, namespace="/")
    on_commit(leave)


def empty_rooms_after_commit(rooms: list[str], keep_user_ids: Iterable[int]) -> None:
    """Once the current transaction commits, take every socket of this process out of
    `rooms` but those of `keep_user_ids` (a space turning private keeps only its members).
    Other processes' sockets stay until their next event, which checks the member again;
    live events carry ids only, and what they point to answers 404 to outsiders."""
    keep_ids = set(keep_user_ids)

    def leave() -> None:
        keep = {sid for user_id in keep_ids for sid in user_sids(user_id)}
        for room in rooms:
            for sid, _eio_sid in list(socketio.server.manager.get_participants("/", room)):
                if sid not in keep:
                    socketio.server.leave_room(sid, room, namespace="/")
    on_commit(leave)


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
        sockets().add(request.sid, current_user.id)
        for hook in _connect_hooks:
            _run_hook(hook, current_user, request.sid)
        return True

    @socketio.on("disconnect")
    def on_disconnect(*_reason):
        user_id = sockets().remove(request.sid)
        if user_id is None:
            return
        for hook in _disconnect_hooks:
            _run_hook(hook, user_id, request.sid)


def _run_hook(hook: Callable, *args) -> None:
    """A feature's hook failing (Redis briefly away…) must not refuse the connection."""
    try:
        hook(*args)
    except Exception:
        current_app.logger.exception("realtime hook %s failed", getattr(hook, "__name__", hook))
