"""Who is online, who is looking at which channel, who is typing: live state, not data.

A member is *online* while at least one of their sockets is connected and not set "away",
*away* when every socket says so, *offline* with no socket. Counting sockets per member
means closing a second tab does not make anyone look offline.

Two stores with the same interface:

- `MemoryPresence` (embedded default, one process): plain dictionaries;
- `RedisPresence` (with `REDIS_URL`, several processes): every socket is a field of a Redis
  hash per member (`presence:user:<id>`: sid -> "<process>|<status>") and per viewed channel
  (`chat:viewers:<id>`: sid -> "<process>|<user id>"). Each process refreshes a heartbeat key
  and fields of a process whose heartbeat is gone (crashed, killed) are ignored and cleaned
  up (app/liveness.py), so a member never stays "online" because of a dead server.

Each process also keeps its own sockets in memory (`_Local`): sid -> member, status and
viewed channels, which is what a disconnect needs to clean up after itself.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..liveness import ProcessLiveness, app_store

STATUSES = ("online", "away", "offline")
TYPING_SECONDS = 3.0


def aggregate(statuses: Iterable[str]) -> str:
    """One member's status from their sockets' statuses."""
    statuses = list(statuses)
    if not statuses:
        return "offline"
    return "online" if "online" in statuses else "away"


@dataclass
class _Socket:
    user_id: int
    status: str = "online"
    channels: set[int] = field(default_factory=set)


class _Local:
    """This process's sockets."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.sockets: dict[str, _Socket] = {}
        self.by_user: dict[int, set[str]] = defaultdict(set)

    def add(self, sid: str, user_id: int) -> None:
        with self.lock:
            self.sockets[sid] = _Socket(user_id)
            self.by_user[user_id].add(sid)

    def remove(self, sid: str) -> _Socket | None:
        with self.lock:
            socket = self.sockets.pop(sid, None)
            if socket is not None:
                sids = self.by_user.get(socket.user_id)
                if sids is not None:
                    sids.discard(sid)
                    if not sids:
                        del self.by_user[socket.user_id]
            return socket

    def get(self, sid: str) -> _Socket | None:
        return self.sockets.get(sid)

    def sids(self, user_id: int) -> set[str]:
        with self.lock:
            return set(self.by_user.get(user_id, ()))


class Presence(ABC):
    """The interface both stores implement. Methods that change a socket return
    `(user_id, changed)`: whether the member's own status changed (then `presence` is
    published to the members who share a channel with them)."""

    def __init__(self) -> None:
        self.local = _Local()

    # Sockets ------------------------------------------------------------------------------

    def connect(self, sid: str, user_id: int) -> bool:
        before = self.status(user_id)
        self.local.add(sid, user_id)
        self._store_socket(sid, user_id, "online")
        return self.status(user_id) != before

    def disconnect(self, sid: str) -> tuple[int | None, bool]:
        socket = self.local.get(sid)
        if socket is None:
            return None, False
        before = self.status(socket.user_id)
        for channel_id in list(socket.channels):
            self.unview(sid, channel_id)
        self.local.remove(sid)
        self._drop_socket(sid, socket.user_id)
        return socket.user_id, self.status(socket.user_id) != before

    def set_status(self, sid: str, status: str) -> tuple[int | None, bool]:
        if status not in ("online", "away"):
            raise ValueError(status)
        socket = self.local.get(sid)
        if socket is None:
            return None, False
        before = self.status(socket.user_id)
        socket.status = status
        self._store_socket(sid, socket.user_id, status)
        return socket.user_id, self.status(socket.user_id) != before

    def status(self, user_id: int) -> str:
        return self.statuses([user_id])[user_id]

    def local_sids(self, user_id: int) -> set[str]:
        return self.local.sids(user_id)

    # Channels being looked at ---------------------------------------------------------------

    def view(self, sid: str, channel_id: int) -> None:
        socket = self.local.get(sid)
        if socket is None:
            return
        socket.channels.add(channel_id)
        self._store_view(sid, socket.user_id, channel_id)

    def unview(self, sid: str, channel_id: int) -> None:
        socket = self.local.get(sid)
        if socket is None or channel_id not in socket.channels:
            return
        socket.channels.discard(channel_id)
        self._drop_view(sid, channel_id)

    def forget_viewer(self, user_id: int, channel_id: int) -> None:
        """The member left the channel: none of their sockets looks at it any more."""
        for sid in self.local.sids(user_id):
            socket = self.local.get(sid)
            if socket is not None:
                socket.channels.discard(channel_id)
        self._forget_viewer(user_id, channel_id)

    # What each store implements ------------------------------------------------------------

    @abstractmethod
    def statuses(self, user_ids: Iterable[int]) -> dict[int, str]:
        """Each member's status, aggregated over their sockets in every process."""

    @abstractmethod
    def sids(self, user_id: int) -> set[str]:
        """Every socket of the member, in every process."""

    @abstractmethod
    def viewers(self, channel_id: int) -> set[int]:
        """Members with at least one socket looking at the channel, in every process."""

    @abstractmethod
    def typing_allowed(self, user_id: int, channel_id: int) -> bool:
        """True at most once per TYPING_SECONDS for a member and a channel."""

    # Mirroring this process's sockets into the shared store.

    @abstractmethod
    def _store_socket(self, sid: str, user_id: int, status: str) -> None: ...

    @abstractmethod
    def _drop_socket(self, sid: str, user_id: int) -> None: ...

    @abstractmethod
    def _store_view(self, sid: str, user_id: int, channel_id: int) -> None: ...

    @abstractmethod
    def _drop_view(self, sid: str, channel_id: int) -> None: ...

    @abstractmethod
    def _forget_viewer(self, user_id: int, channel_id: int) -> None: ...


class MemoryPresence(Presence):
    """One process: everything is in `self.local`."""

    def __init__(self) -> None:
        super().__init__()
        self._typing: dict[tuple[int, int], float] = {}

    def statuses(self, user_ids: Iterable[int]) -> dict[int, str]:
        with self.local.lock:
            return {uid: aggregate(self.local.sockets[sid].status
                                   for sid in self.local.by_user.get(uid, ()))
                    for uid in user_ids}

    def sids(self, user_id: int) -> set[str]:
        return self.local.sids(user_id)

    def viewers(self, channel_id: int) -> set[int]:
        with self.local.lock:
            return {s.user_id for s in self.local.sockets.values() if channel_id in s.channels}

    # Nothing is shared beyond this process: `self.local` is the whole store.

    def _store_socket(self, sid: str, user_id: int, status: str) -> None:
        return

    def _drop_socket(self, sid: str, user_id: int) -> None:
        return

    def _store_view(self, sid: str, user_id: int, channel_id: int) -> None:
        return

    def _drop_view(self, sid: str, channel_id: int) -> None:
        return

    def _forget_viewer(self, user_id: int, channel_id: int) -> None:
        return

    def typing_allowed(self, user_id: int, channel_id: int) -> bool:
        now = time.monotonic()
        with self.local.lock:
            last = self._typing.get((user_id, channel_id))
            if last is not None and now - last < TYPING_SECONDS:
                return False
            if len(self._typing) > 10_000:  # forget old entries now and then
                self._typing = {k: v for k, v in self._typing.items()
                                if now - v < TYPING_SECONDS}
            self._typing[(user_id, channel_id)] = now
            return True


class RedisPresence(Presence, ProcessLiveness):
    """Several processes sharing one Redis."""

    def __init__(self, url: str, prefix: str = "", client=None) -> None:
        Presence.__init__(self)
        ProcessLiveness.__init__(self, url, prefix, client)

    # Keys ---------------------------------------------------------------------------------------

    def _user_key(self, user_id: int) -> str:
        return f"{self.prefix}presence:user:{user_id}"

    def _viewers_key(self, channel_id: int) -> str:
        return f"{self.prefix}chat:viewers:{channel_id}"

    # Storage ------------------------------------------------------------------------------------

    def _store_socket(self, sid: str, user_id: int, status: str) -> None:
        key = self._user_key(user_id)
        pipe = self.redis.pipeline()
        pipe.hset(key, sid, f"{self.process}|{status}")
        pipe.expire(key, 24 * 3600)
        pipe.execute()

    def _drop_socket(self, sid: str, user_id: int) -> None:
        self.redis.hdel(self._user_key(user_id), sid)

    def _store_view(self, sid: str, user_id: int, channel_id: int) -> None:
        key = self._viewers_key(channel_id)
        pipe = self.redis.pipeline()
        pipe.hset(key, sid, f"{self.process}|{user_id}")
        pipe.expire(key, 24 * 3600)
        pipe.execute()

    def _drop_view(self, sid: str, channel_id: int) -> None:
        self.redis.hdel(self._viewers_key(channel_id), sid)

    def _forget_viewer(self, user_id: int, channel_id: int) -> None:
        key = self._viewers_key(channel_id)
        mine = [sid for sid, value in (self.redis.hgetall(key) or {}).items()
                if value.endswith(f"|{user_id}")]
        if mine:
            self.redis.hdel(key, *mine)

    # Queries ------------------------------------------------------------------------------------

    def _sockets_of(self, user_ids: list[int]) -> dict[int, dict[str, str]]:
        pipe = self.redis.pipeline()
        for uid in user_ids:
            pipe.hgetall(self._user_key(uid))
        return {uid: self._live_fields(self._user_key(uid), fields or {})
                for uid, fields in zip(user_ids, pipe.execute(), strict=True)}

    def statuses(self, user_ids: Iterable[int]) -> dict[int, str]:
        user_ids = list(dict.fromkeys(user_ids))
        if not user_ids:
            return {}
        return {uid: aggregate(sockets.values())
                for uid, sockets in self._sockets_of(user_ids).items()}

    def sids(self, user_id: int) -> set[str]:
        return set(self._sockets_of([user_id])[user_id]) | self.local.sids(user_id)

    def viewers(self, channel_id: int) -> set[int]:
        key = self._viewers_key(channel_id)
        fields = self._live_fields(key, self.redis.hgetall(key) or {})
        return {int(value) for value in fields.values() if value.isdigit()}

    def typing_allowed(self, user_id: int, channel_id: int) -> bool:
        key = f"{self.prefix}chat:typing:{channel_id}:{user_id}"
        return bool(self.redis.set(key, "1", nx=True, px=int(TYPING_SECONDS * 1000)))


def get_presence() -> Presence:
    """This application's store: Redis when REDIS_URL is set, memory otherwise."""
    return app_store("chat.presence", MemoryPresence, RedisPresence)
