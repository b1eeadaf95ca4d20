"""Shared column types and the single commit point used by views, socket handlers and the CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from sqlalchemy import DateTime, and_, event, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeDecorator

from .extensions import db

logger = logging.getLogger(__name__)

# Integer primary keys: a larger id cannot exist (and would overflow the drivers).
ID_MAX = 2**31 - 1


# The database cannot be reached (server down, connection cut, connect timeout): what views
# answer with a 503 and socket handlers with an `unavailable` ack (app/web.py,
# app/socket_events.py). SQLAlchemy wraps the driver's errors; psycopg's own is listed for
# a path that would raise it unwrapped.
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError, sa_exc.DisconnectionError, psycopg.OperationalError)


def utcnow() -> datetime:
    return datetime.now(UTC)


def valid_id(value: object) -> bool:
    """An id as a client may send it: a positive integer that fits the column (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ID_MAX


def load_with_membership(model: type, row_id: int, member_key: InstrumentedAttribute,
                         user_id: int, *, lock: bool = False) -> tuple | None:
    """`(row, my membership or None)` in one query, or None when the row does not exist.

    A channel with my channel membership, an event with my answer, a session with my seat:
    permission rules read both. `member_key` is the membership's foreign key to `model`
    (e.g. `ChannelMember.channel_id`); its model has a `user_id`. `lock` takes the row lock
    (FOR UPDATE on PostgreSQL; SQLite serialises writers anyway) that orders concurrent
    writes on the row, and reloads it so the locked values are the ones read.
    """
    membership = member_key.class_
    stmt = (select(model, membership).where(model.id == row_id)
            .outerjoin(membership, and_(member_key == model.id, membership.user_id == user_id)))
    if lock:
        stmt = stmt.with_for_update(of=model).execution_options(populate_existing=True)
    row = db.session.execute(stmt).first()
    return None if row is None else (row[0], row[1])


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    SQLite drops tzinfo; without this, values read back are naive and comparisons with
    aware datetimes fail in one backend and not the other.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_ON_COMMIT = "on_commit_callbacks"
_COMMITTED = "on_commit_ready"


def on_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction commits; drop it if it rolls back.

    Live events and emails go through here so that nobody hears of a write that did not
    happen (the same idea as Django's transaction.on_commit or Zulip's send_event_on_commit).
    Inside a savepoint (`begin_nested`), the callback belongs to it: rolling the savepoint
    back drops it, releasing the savepoint hands it to the enclosing transaction.
    """
    session = db.session()
    session.info.setdefault(_ON_COMMIT, []).append(
        (session.get_nested_transaction(), callback))


def _hand_to_enclosing(session: Session, key: str) -> bool:
    """In after_commit: if what committed was a savepoint (released), its callbacks under
    `key` now belong to the enclosing transaction (or savepoint), and True is returned."""
    savepoint = session.get_nested_transaction()
    if savepoint is None:
        return False
    enclosing = savepoint.parent if savepoint.parent.nested else None
    session.info[key] = [(enclosing if owner is savepoint else owner, callback)
                         for owner, callback in session.info[key]]
    return True


@event.listens_for(Session, "after_commit")
def _commit_succeeded(session: Session) -> None:
    # Fired for a released savepoint too: its callbacks then wait for the enclosing one.
    if not session.info.get(_ON_COMMIT) or _hand_to_enclosing(session, _ON_COMMIT):
        return
    session.info[_COMMITTED] = [callback for _owner, callback in session.info.pop(_ON_COMMIT)]


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        pending = session.info.get(_ON_COMMIT) or []
        session.info[_ON_COMMIT] = [(owner, callback) for owner, callback in pending
                                    if owner is not previous_transaction]
    else:
        session.info.pop(_ON_COMMIT, None)


@event.listens_for(Session, "after_transaction_end")
def _run_on_commit(session: Session, transaction) -> None:
    # Run once the transaction is over rather than in after_commit, where the session can
    # emit no SQL: a callback may read (a disconnect hook looking up presence partners).
    if transaction.parent is not None:
        return
    for callback in session.info.pop(_COMMITTED, None) or ():
        callback()


_ON_ROLLBACK = "on_rollback_callbacks"


def on_rollback(callback: Callable[[], None]) -> None:
    """Run `callback` if the current transaction rolls back; drop it once it commits.

    The undo of what a database rollback cannot undo: a file written for a row that will
    never exist (app/storage.py). Same savepoint rules as `on_commit`: registered inside a
    savepoint, it runs when that savepoint rolls back, and releasing the savepoint hands it
    to the enclosing transaction. A transaction that ends without commit (closed at the end
    of a request after an error) counts as rolled back.
    """
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that the transaction's end, commit or not, is seen
    session.info.setdefault(_ON_ROLLBACK, []).append(
        (session.get_nested_transaction(), callback))


@event.listens_for(Session, "after_commit")
def _rollback_not_needed(session: Session) -> None:
    if not session.info.get(_ON_ROLLBACK) or _hand_to_enclosing(session, _ON_ROLLBACK):
        return
    session.info.pop(_ON_ROLLBACK)


@event.listens_for(Session, "after_transaction_end")
def _run_on_rollback(session: Session, transaction) -> None:
    # Committed work was taken off the list by after_commit: what is left here belongs to a
    # transaction (or savepoint) that ended without committing.
    pending = session.info.get(_ON_ROLLBACK)
    if not pending:
        return
    if transaction.parent is None:
        session.info.pop(_ON_ROLLBACK)
        undone = [callback for _owner, callback in pending]
    elif transaction.nested:
        session.info[_ON_ROLLBACK] = [(o, c) for o, c in pending if o is not transaction]
        undone = [callback for owner, callback in pending if owner is transaction]
    else:
        return
    for callback in reversed(undone):
        try:
            callback()
        except Exception:  # an undo that fails must not hide the error that caused it
            logger.exception("on_rollback callback failed")


@contextmanager
def transaction() -> Iterator[None]:
    """Commit once at the end of a unit of work, roll back on any error.

    Services never commit; events and mails queued with on_commit during the work leave
    only after this commit succeeds.
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
