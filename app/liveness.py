"""Live state in Redis that no crashed server process can leave behind.

Live state shared by several server processes (who is online in the chat, who is in a
co-development room) is written by the process that holds the socket, and only that process
can remove it. A process that dies (crash, kill, lost machine) cleans nothing up, so:

- every process writes its fields as "<process id>|<value>" and keeps a heartbeat key
  (`<prefix>presence:process:<id>`) alive, refreshed every HEARTBEAT_SECONDS and expiring
  after PROCESS_TTL seconds;
- readers keep the fields of live processes only, and delete the others on the way.

A killed process's sockets thus stop counting within a minute instead of staying until
their hash expires. `ProcessLiveness` is the part of a Redis-backed store that does this;
the chat's presence (app/chat/presence.py) and the co-development room's
(app/codev/presence.py) are built on it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app

from .extensions import socketio

logger = logging.getLogger(__name__)

PROCESS_TTL = 60
HEARTBEAT_SECONDS = 20


class ProcessLiveness:
    """This process's identity and heartbeat in Redis, and the filter of live fields."""

    def __init__(self, url: str, prefix: str = "", client=None) -> None:
        if client is None:
            import redis

            client = redis.Redis.from_url(url, decode_responses=True)
        self.redis = client
        self.prefix = prefix
        self.process = uuid.uuid4().hex
        self._beating = False
        self._beat_lock = threading.Lock()

    def _process_key(self, process: str) -> str:
        return f"{self.prefix}presence:process:{process}"

    def heartbeat(self) -> None:
        self.redis.set(self._process_key(self.process), "1", ex=PROCESS_TTL)

    def start(self, start_background_task=None) -> None:
        """Beat now, then every HEARTBEAT_SECONDS in a background task (once)."""
        with self._beat_lock:
            if self._beating:
                return
            self._beating = True
        with contextlib.suppress(Exception):  # Redis away at start: the next beat retries
            self.heartbeat()
        if start_background_task is not None:
            start_background_task(self._beat_forever)

    def _beat_forever(self) -> None:
        while True:
            socketio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(Exception):  # Redis restarting: the next beat retries
                self.heartbeat()

    def _alive(self, processes: set[str]) -> set[str]:
        processes = sorted(processes)
        if not processes:
            return set()
        found = self.redis.mget([self._process_key(p) for p in processes])
        alive = {p for p, value in zip(processes, found, strict=True) if value is not None}
        alive.add(self.process)  # this process is alive, whatever its key says
        return alive

    def _live_fields(self, key: str, fields: dict[str, str]) -> dict[str, str]:
        """Fields of live processes ("<process>|<value>" -> value); dead ones are removed."""
        parsed = {sid: value.split("|", 1) for sid, value in fields.items() if "|" in value}
        alive = self._alive({process for process, _value in parsed.values()})
        dead = [sid for sid, (process, _value) in parsed.items() if process not in alive]
        if dead:
            self.redis.hdel(key, *dead)
        return {sid: value for sid, (process, value) in parsed.items() if process in alive}


class FallbackStore:
    """A Redis-backed store that answers from an in-memory one while Redis is unreachable.

    Every call goes to Redis; one that fails with a Redis error is answered by the memory
    store instead (this process's view only), so a Redis outage degrades live state (other
    processes' members look offline) instead of breaking pages and socket handlers. The
    chat page says so (app/web.py `redis_status`, templates/chat/channel.html).
    """

    def __init__(self, primary: Any, fallback: Any) -> None:
        self._primary = primary
        self._fallback = fallback

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        # A transparent proxy: isinstance(store, RedisPresence) still holds.
        return type(self._primary)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._primary, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            import redis

            try:
                return target(*args, **kwargs)
            except redis.RedisError as error:
                logger.warning("redis unavailable (%s): %s answered from memory", error, name)
                return getattr(self._fallback, name)(*args, **kwargs)

        return call


def app_store(name: str, memory: Callable[[], Any], redis: Callable[..., Any]) -> Any:
    """The application's store `name`, made once: `redis(url, prefix=...)` when REDIS_URL is
    set (started: its heartbeat runs), `memory()` otherwise."""
    store = current_app.extensions.get(name)
    if store is None:
        url = current_app.config.get("REDIS_URL")
        if url:
            store = redis(url, prefix=current_app.config["REDIS_KEY_PREFIX"] + ":")
            store.start(socketio.start_background_task)
            store = FallbackStore(store, memory())
        else:
            store = memory()
        store = current_app.extensions.setdefault(name, store)
    return store
