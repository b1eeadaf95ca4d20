"""Assertions shared by the suite: SQL query counts and realtime events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from sqlalchemy import event

from app.extensions import db, socketio


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            self.statements.append(statement)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)


@contextmanager
def assert_query_count(expected: int) -> Iterator[QueryCounter]:
    with count_queries() as counter:
        yield counter
    assert counter.count == expected, (
        f"expected {expected} queries, got {counter.count}:\n" + "\n".join(counter.statements))


@contextmanager
def capture_events(expected: int | None = None) -> Iterator[list[dict]]:
    """Record what services publish (after commit) instead of sending it."""
    events: list[dict] = []

    def fake_emit(event_name, payload=None, to=None, **kwargs):
        events.append({"event": event_name, "payload": payload, "room": to})

    with mock.patch.object(socketio, "emit", side_effect=fake_emit):
        yield events
    if expected is not None:
        assert len(events) == expected, events
