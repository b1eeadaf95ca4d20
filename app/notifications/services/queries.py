"""Reads: the feed, the notification centre, follows, preferences, unsubscribe links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from ...accounts.models import User
from ...db import valid_id
from ...errors import NotFound
from ...extensions import db
from ...permissions import require
from ..models import (
    NOTIFICATION_KINDS,
    Activity,
    Notification,
    NotificationPreference,
    Subscription,
)
from .common import (
    DEFAULT_DELIVERY,
    FEED_EXCLUSIONS,
    FEED_PAGE_MAX,
    PERSONAL_VERBS,
    UNSUBSCRIBE_MAX_AGE,
    UNSUBSCRIBE_SALT,
)


def activity_in(context_type: str, context_ids: Any) -> Any:
    """The condition "in one of these contexts" (ids: a list or a select of non-null ids),
    for exclusions; never NULL, so that its negation keeps activities without a context."""
    return and_(Activity.context_id.is_not(None), Activity.context_type == context_type,
                Activity.context_id.in_(context_ids))


@dataclass
class FeedPage:
    items: list[Activity]
    next_cursor: int | None
    new_since: datetime | None

    def is_new(self, activity: Activity) -> bool:
        return self.new_since is not None and activity.created_at > self.new_since

    @property
    def new_count(self) -> int:
        return sum(1 for item in self.items if self.is_new(item))


def feed(actor: User, *, extra_contexts: Iterable[tuple[str, int]] = (),
         before_id: int | None = None, limit: int = 30) -> FeedPage:
    """What is new for `actor`, newest first, one keyset page; always one SQL query.

    Audience: activities in a context the member follows or that the caller adds through
    `extra_contexts` (e.g. the projects the member belongs to), about an object the member
    follows, addressed to the member (`target_user_id`), or broadcast to everyone. Hidden
    activities, activities in a hidden context, activities a registered exclusion closes
    to the member (FEED_EXCLUSIONS) and the member's own actions are left out.
    """
    require(actor, "feed.view")
    limit = max(1, min(int(limit), FEED_PAGE_MAX))
    follows_context = exists().where(Subscription.user_id == actor.id,
                                     Subscription.target_type == Activity.context_type,
                                     Subscription.target_id == Activity.context_id)
    follows_object = exists().where(Subscription.user_id == actor.id,
                                    Subscription.target_type == Activity.object_type,
                                    Subscription.target_id == Activity.object_id)
    audience = [follows_context, follows_object, Activity.broadcast.is_(True)]
    contexts: dict[str, set[int]] = defaultdict(set)
    for context_type, context_id in extra_contexts:
        contexts[context_type].add(int(context_id))
    for context_type, ids in sorted(contexts.items()):
        audience.append(and_(Activity.context_type == context_type,
                             Activity.context_id.in_(sorted(ids))))
    parent = aliased(Activity)
    context_hidden = exists().where(parent.object_type == Activity.context_type,
                                    parent.object_id == Activity.context_id,
                                    parent.hidden_at.is_not(None))
    closed = [exclusion(actor) for exclusion in FEED_EXCLUSIONS]
    stmt = (
        select(Activity)
        .where(
            Activity.hidden_at.is_(None),
            or_(Activity.actor_id.is_(None), Activity.actor_id != actor.id),
            or_(Activity.target_user_id == actor.id,
                and_(Activity.verb.not_in(sorted(PERSONAL_VERBS)), or_(*audience))),
            ~context_hidden,
            *(~condition for condition in closed),
        )
        .options(joinedload(Activity.actor).joinedload(User.profile))
        .order_by(Activity.id.desc())
        .limit(limit + 1)
    )
    if valid_id(before_id):
        stmt = stmt.where(Activity.id < before_id)
    items = list(db.session.scalars(stmt).unique())
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = items[-1].id
    return FeedPage(items=items, next_cursor=next_cursor, new_since=actor.feed_seen_at)


def is_following(user: User, target_type: str, target_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Subscription.user_id == user.id, Subscription.target_type == target_type,
        Subscription.target_id == target_id))))


def followed_ids(user: User, target_type: str) -> set[int]:
    return set(db.session.scalars(select(Subscription.target_id).where(
        Subscription.user_id == user.id, Subscription.target_type == target_type)))


def follower_ids(target_type: str, target_id: int) -> list[int]:
    return list(db.session.scalars(
        select(Subscription.user_id)
        .where(Subscription.target_type == target_type, Subscription.target_id == target_id)
        .order_by(Subscription.user_id)))


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None),
            Notification.hidden_at.is_(None))) or 0


@dataclass
class NotificationPage:
    items: list[Notification]
    next_cursor: int | None
    unread: int


def notifications_page(actor: User, before_id: int | None = None,
                       limit: int = 30) -> NotificationPage:
    """The member's notification centre, newest first, by keyset; two queries."""
    require(actor, "notifications.view")
    limit = max(1, min(int(limit), FEED_PAGE_MAX))
    stmt = (select(Notification)
            .where(Notification.user_id == actor.id, Notification.hidden_at.is_(None))
            .options(joinedload(Notification.actor).joinedload(User.profile))
            .order_by(Notification.id.desc()).limit(limit + 1))
    if valid_id(before_id):
        stmt = stmt.where(Notification.id < before_id)
    items = list(db.session.scalars(stmt).unique())
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = items[-1].id
    return NotificationPage(items=items, next_cursor=next_cursor, unread=unread_count(actor))


def preferences(user: User) -> dict[str, str]:
    """Delivery per kind, the defaults filled in, in NOTIFICATION_KINDS order."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user.id)).tuples().all())
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NOTIFICATION_KINDS}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User) -> str:
    return _serializer().dumps({"u": user.id})


def user_for_unsubscribe_token(token: str) -> User:
    """The member a digest's unsubscribe link was made for; tampered or expired: NotFound."""
    try:
        payload = _serializer().loads(token or "", max_age=UNSUBSCRIBE_MAX_AGE)
    except BadSignature as error:  # SignatureExpired is a BadSignature
        raise NotFound() from error
    user_id = payload.get("u") if isinstance(payload, dict) else None
    if not isinstance(user_id, int) or not valid_id(user_id):
        raise NotFound()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user




def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Unread notifications of several members in one grouped query."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Notification.user_id, func.count())
        .where(Notification.user_id.in_(ids), Notification.read_at.is_(None),
               Notification.hidden_at.is_(None))
        .group_by(Notification.user_id))
    return {**dict.fromkeys(ids, 0), **dict(rows.tuples().all())}


def deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How `kind` reaches each of these members (their choice, or the default)."""
    ids = sorted(set(user_ids))
    chosen = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery)
        .where(NotificationPreference.user_id.in_(ids),
               NotificationPreference.kind == kind)).tuples().all()) if ids else {}
    return {user_id: chosen.get(user_id, DEFAULT_DELIVERY[kind]) for user_id in ids}
