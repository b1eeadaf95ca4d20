"""Shared column types and the single commit point used by views, socket handlers and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, and_, event, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeDecorator

from .extensions import db

# Integer primary keys: a larger id cannot exist (and would overflow the drivers).
ID_MAX = 2**31 - 1


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


@event.listens_for(Session, "after_commit")
def _commit_succeeded(session: Session) -> None:
    # Fired for a released savepoint too: its callbacks then wait for the enclosing one.
    pending = session.info.get(_ON_COMMIT)
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        enclosing = savepoint.parent if savepoint.parent.nested else None
        session.info[_ON_COMMIT] = [(enclosing if owner is savepoint else owner, callback)
                                    for owner, callback in pending]
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
