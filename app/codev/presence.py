"""Who is in a session's room right now: live state, not data.

Raised hands are data (a late joiner must see them) and live in the database; presence is
the set of sockets that joined the room. Each process knows its own sockets (`_Local`: sid
-> the sessions it joined, which a disconnection cleans up), and the store says who is
present in every process:

- `MemoryPresence` (embedded default, one process): its own sockets are everyone;
- `RedisPresence` (with `REDIS_URL`, several processes): a hash per session
  (`<REDIS_KEY_PREFIX>:codev:presence:<id>`: sid -> "<process>|<user id>"). Like the
  chat's presence it is built on app/liveness.py: the fields of a process whose heartbeat
  expired (crashed, killed) are ignored and removed, so its sockets stop counting within a
  minute instead of staying until the hash expires.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import defaultdict

from ..liveness import ProcessLiveness, app_store

# A backstop for hashes nobody touches any more; dead processes are filtered long before.
EXPIRY = 24 * 3600


class _Local:
    """This process's sockets: sid -> {session id: user id}."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sockets: dict[str, dict[int, int]] = defaultdict(dict)

    def add(self, sid: str, session_id: int, user_id: int) -> None:
        with self.lock:
            self.sockets[sid][session_id] = user_id

    def discard(self, sid: str, session_id: int) -> bool:
        with self.lock:
            rooms = self.sockets.get(sid)
            if rooms is None or session_id not in rooms:
                return False
            del rooms[session_id]
            if not rooms:
                del self.sockets[sid]
            return True

    def pop(self, sid: str) -> set[int]:
        with self.lock:
            return set(self.sockets.pop(sid, {}))

    def present(self, session_id: int) -> set[int]:
        with self.lock:
            return {rooms[session_id] for rooms in self.sockets.values() if session_id in rooms}


class Presence(ABC):
    """The interface of both stores."""

    def __init__(self) -> None:
        self.local = _Local()

    def join(self, session_id: int, sid: str, user_id: int) -> None:
        self.local.add(sid, session_id, user_id)
        self._store(session_id, sid, user_id)

    def leave(self, session_id: int, sid: str) -> bool:
        """False when the socket was not in the room (nothing changed)."""
        if not self.local.discard(sid, session_id):
            return False
        self._drop(session_id, sid)
        return True

    def disconnect(self, sid: str) -> set[int]:
        """The socket is gone: it leaves every room it joined; returns those sessions."""
        sessions = self.local.pop(sid)
        for session_id in sessions:
            self._drop(session_id, sid)
        return sessions

    @abstractmethod
    def present(self, session_id: int) -> set[int]:
        """Members with at least one socket in the room, in every process."""

    @abstractmethod
    def _store(self, session_id: int, sid: str, user_id: int) -> None: ...

    @abstractmethod
    def _drop(self, session_id: int, sid: str) -> None: ...


class MemoryPresence(Presence):
    """One process: `self.local` is the whole store."""

    def present(self, session_id: int) -> set[int]:
        return self.local.present(session_id)

    def _store(self, session_id: int, sid: str, user_id: int) -> None:
        return

    def _drop(self, session_id: int, sid: str) -> None:
        return


class RedisPresence(Presence, ProcessLiveness):
    """Several processes sharing one Redis."""

    def __init__(self, url: str, prefix: str = "", client=None) -> None:
        Presence.__init__(self)
        ProcessLiveness.__init__(self, url, prefix, client)

    def _key(self, session_id: int) -> str:
        return f"{self.prefix}codev:presence:{session_id}"

    def _store(self, session_id: int, sid: str, user_id: int) -> None:
        pipe = self.redis.pipeline()
        pipe.hset(self._key(session_id), sid, f"{self.process}|{user_id}")
        pipe.expire(self._key(session_id), EXPIRY)
        pipe.execute()

    def _drop(self, session_id: int, sid: str) -> None:
        self.redis.hdel(self._key(session_id), sid)

    def present(self, session_id: int) -> set[int]:
        key = self._key(session_id)
        fields = self._live_fields(key, self.redis.hgetall(key) or {})
        return {int(value) for value in fields.values() if value.isdigit()}


def get_presence() -> Presence:
    """This application's store: Redis when REDIS_URL is set, memory otherwise."""
    return app_store("codev.presence", MemoryPresence, RedisPresence)
