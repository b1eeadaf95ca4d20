"""Activities: what happened, recorded once; the feed derives its audience when it reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ...accounts.models import User
from ...db import utcnow
from ...extensions import db
from ..models import Activity, Notification
from .common import CONTEXT_NAMES, snapshot


def do_record_activity(verb: str, actor: User | None, object_type: str, object_id: int, *,
                       context_type: str | None = None, context_id: int | None = None,
                       target_user_id: int | None = None, broadcast: bool = False,
                       data: dict | None = None) -> Activity:
    """Write one thing that happened; the feed derives its audience when it reads.

    `data` is a display snapshot: `title`, `excerpt` (plain text), `url` (a same-site path)
    and `context_name` (the wall or project it happened in), so the feed shows it without
    loading the object. `do_update_object_data` refreshes it after an edit or a move.
    """
    if not verb or len(verb) > 40:
        raise ValueError(f"bad verb {verb!r}")
    if not object_type or len(object_type) > 30 or (context_type and len(context_type) > 30):
        raise ValueError("object and context types are short names such as 'post'")
    if (context_type is None) != (context_id is None):
        raise ValueError("context_type and context_id go together")
    if context_type in CONTEXT_NAMES and not (data or {}).get("context_name"):
        data = {**(data or {}), "context_name": CONTEXT_NAMES[context_type](context_id)}
    activity = Activity(
        verb=verb, actor_id=actor.id if actor is not None else None,
        object_type=object_type, object_id=object_id,
        context_type=context_type, context_id=context_id,
        target_user_id=target_user_id, broadcast=bool(broadcast), data=snapshot(data),
        created_at=utcnow(),
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def do_set_object_hidden(object_type: str, object_id: int, hidden: bool) -> None:
    """Hide (or show again) every activity and notification about one object.

    Nothing is deleted: rows get `hidden_at` and come back when moderation restores the
    content. Notifications of kind "moderation" are about the decision, not the content,
    so they stay: the author must learn that their contribution was hidden.
    Activities whose context is a hidden object (comments of a hidden post) disappear from
    the feed too; `feed()` checks that when it reads.
    """
    now = utcnow()
    for model in (Activity, Notification):
        stmt = update(model).where(model.object_type == object_type,
                                   model.object_id == object_id)
        if model is Notification:
            stmt = stmt.where(Notification.kind != "moderation")
        if hidden:
            stmt = stmt.where(model.hidden_at.is_(None)).values(hidden_at=now)
        else:
            stmt = stmt.where(model.hidden_at.is_not(None)).values(hidden_at=None)
        db.session.execute(stmt.execution_options(synchronize_session="fetch"))


def do_update_object_data(object_type: str, object_id: int, **changes: Any) -> None:
    """Refresh the snapshot of every activity about an object after an edit or a move.

    `changes` may hold `title`, `excerpt`, `url`, `context_name` (and any other snapshot
    key), plus `context_type` / `context_id` to move the activities to another context.
    A new `url` is applied to the notifications about the object too.
    """
    context = {key: changes.pop(key) for key in ("context_type", "context_id") if key in changes}
    shaped = snapshot(changes)
    fresh = {key: value for key, value in shaped.items() if key in changes}
    activities = db.session.scalars(select(Activity).where(
        Activity.object_type == object_type, Activity.object_id == object_id))
    for activity in activities:
        activity.data = {**(activity.data or {}), **fresh}  # a new dict: JSON is not tracked
        for key, value in context.items():
            setattr(activity, key, value)
    if fresh.get("url"):
        db.session.execute(
            update(Notification)
            .where(Notification.object_type == object_type, Notification.object_id == object_id,
                   Notification.kind != "moderation")
            .values(url=fresh["url"]).execution_options(synchronize_session="fetch"))


def do_mark_feed_seen(actor: User) -> None:
    """The next visit marks what arrived after now as "Nouveau"."""
    actor.feed_seen_at = utcnow()
