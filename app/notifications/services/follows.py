"""What a member follows: contexts (a wall, a project) and objects (a post)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...db import utcnow
from ...extensions import db
from ..models import Subscription
from .queries import is_following


def _check_target(target_type: str, target_id: int) -> None:
    if not target_type or len(target_type) > 30 or not isinstance(target_id, int):
        raise ValueError(f"bad follow target {target_type!r} {target_id!r}")


def do_follow(user: User, target_type: str, target_id: int) -> bool:
    """Follow something; following it again changes nothing. True if newly followed.

    Two requests at once both see "not followed"; the unique constraint lets one insert
    win and the savepoint lets the other carry on as if it had found the row.
    """
    _check_target(target_type, target_id)
    if is_following(user, target_type, target_id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Subscription(user_id=user.id, target_type=target_type,
                                        target_id=target_id, created_at=utcnow()))
    except IntegrityError:
        return False
    return True


def do_unfollow(user: User, target_type: str, target_id: int) -> None:
    db.session.execute(
        Subscription.__table__.delete().where(
            Subscription.user_id == user.id, Subscription.target_type == target_type,
            Subscription.target_id == target_id))


def do_unfollow_all(user: User, target_type: str, target_ids: Any) -> None:
    """Unfollow many targets of one type at once (ids: a list or a select)."""
    db.session.execute(
        Subscription.__table__.delete().where(
            Subscription.user_id == user.id, Subscription.target_type == target_type,
            Subscription.target_id.in_(target_ids)))
