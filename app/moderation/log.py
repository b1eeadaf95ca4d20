"""The append-only moderation log: one function appends, ORM guards refuse the rest.

Every feature that moderates content (walls now, the library and projects later) writes
here, so moderators read one log for the whole platform.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from ..accounts.models import User
from ..extensions import db
from .models import ModerationAction


def do_log(actor: User | None, action: str, target_type: str, target_id: int, *,
           target_user_id: int | None = None, reason: str = "", **data) -> ModerationAction:
    """Append one line to the moderation log; nothing ever updates or deletes these rows."""
    entry = ModerationAction(actor_id=actor.id if actor else None, action=action,
                             target_type=target_type, target_id=target_id,
                             target_user_id=target_user_id, reason=reason or "", data=data)
    db.session.add(entry)
    return entry


class AppendOnlyViolation(RuntimeError):
    """Raised when code tries to change or remove a moderation log row."""


@event.listens_for(ModerationAction, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AppendOnlyViolation(f"the moderation log is append-only (update of {target.id})")


@event.listens_for(ModerationAction, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AppendOnlyViolation(f"the moderation log is append-only (delete of {target.id})")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """`session.execute(update(...))` / `delete(...)` skip the mapper events above."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == ModerationAction.__tablename__:
        raise AppendOnlyViolation("the moderation log is append-only (bulk statement)")
