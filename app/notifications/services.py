"""News feed, follows, notifications, preferences and digests: the only code that changes them.

Other features write here through a small public API:

- `do_record_activity(...)` when something happens that belongs in members' feeds;
- `do_notify(...)` when one member must be told about something personal;
- `do_follow` / `do_unfollow` for what a member follows;
- `do_set_object_hidden` / `do_update_object_data` when moderation hides content or an
  author edits or moves it.

None of these commit: the caller's `transaction()` does, and live events and emails leave
only after that commit (`app.realtime.publish`, `app.db.on_commit`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from ..accounts.models import User
from ..db import on_commit, utcnow, valid_id
from ..errors import Invalid, NotFound
from ..extensions import db
from ..mailer import send_mail
from ..paths import path_for
from ..permissions import require
from ..realtime import publish, user_room
from ..text import safe_path
from .models import (
    DELIVERY,
    NOTIFICATION_KINDS,
    Activity,
    Notification,
    NotificationPreference,
    Subscription,
)

# How each kind reaches a member who never chose: rare and personal things by email at once,
# frequent ones in the platform only (see docs/decisions.md, "Notifications and feed").
DEFAULT_DELIVERY: dict[str, str] = {
    "mention": "email",
    "reply": "inapp",
    "reaction": "inapp",
    "accepted_answer": "email",
    "moderation": "email",
    "project": "inapp",
    "event": "email",
}

# Activities addressed to one member: only their target sees them, never the followers of
# their context ("X vous a mentionné·e" must not appear in everyone's feed).
PERSONAL_VERBS = frozenset({"mention"})

KIND_SUBJECTS = {
    "mention": _l("Vous avez été mentionné·e"),
    "reply": _l("Nouvelle réponse à votre contribution"),
    "reaction": _l("Nouvelle réaction à votre contribution"),
    "accepted_answer": _l("Votre réponse a été acceptée"),
    "moderation": _l("Décision de modération sur votre contribution"),
    "project": _l("Du nouveau dans vos projets"),
    "event": _l("Agenda : invitation ou rappel"),
}

FEED_PAGE_MAX = 100
TITLE_MAX = 200
EXCERPT_MAX = 300
CONTEXT_NAME_MAX = 120
TEXT_MAX = 500
URL_MAX = 500
DIGEST_ITEMS_MAX = 50
UNSUBSCRIBE_SALT = "notifications.digest-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 90 * 24 * 3600  # a digest may sit in an inbox for weeks
PARIS = ZoneInfo("Europe/Paris")


def _require_path(url: str | None) -> str:
    path = safe_path(url)
    if path is None:
        raise ValueError(f"expected a same-site path, got {url!r}")
    return path


def _line(value: Any, limit: int) -> str:
    """One line of plain text: whitespace collapsed, cut on a word boundary."""
    text = " ".join(str(value or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.!?-") + "…"


def _snapshot(data: dict | None) -> dict:
    """The display snapshot of an activity, normalised; unknown keys are kept as given."""
    snapshot = dict(data or {})
    for key, limit in (("title", TITLE_MAX), ("excerpt", EXCERPT_MAX),
                       ("context_name", CONTEXT_NAME_MAX)):
        if key in snapshot or key in ("title", "excerpt"):
            snapshot[key] = _line(snapshot.get(key), limit)
    if snapshot.get("url"):
        snapshot["url"] = _require_path(snapshot["url"])
    else:
        snapshot["url"] = ""
    return snapshot


# Activities and the feed ----------------------------------------------------------------------

# CONTEXT_NAMES[context_type](context_id) -> the display name of a context (a project's title).
# An activity recorded in a context without a `context_name` (the library announcing a
# document of a project's shelf) gets it from here: owner features register theirs.
CONTEXT_NAMES: dict[str, Callable[[int], str]] = {}

# FEED_EXCLUSIONS: fn(user) -> an SQL condition on Activity, true for activities that member
# may no longer see (the wall of a private project they left). Owner features register
# theirs; each becomes a subquery of the feed's one query, so a follow left behind (a post
# once commented) never leaks what happens behind a closed door.
FEED_EXCLUSIONS: list[Callable[[User], Any]] = []


def activity_in(context_type: str, context_ids: Any) -> Any:
    """The condition "in one of these contexts" (ids: a list or a select of non-null ids),
    for exclusions; never NULL, so that its negation keeps activities without a context."""
    return and_(Activity.context_id.is_not(None), Activity.context_type == context_type,
                Activity.context_id.in_(context_ids))


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
        target_user_id=target_user_id, broadcast=bool(broadcast), data=_snapshot(data),
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
    snapshot = _snapshot(changes)
    fresh = {key: value for key, value in snapshot.items() if key in changes}
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


def do_mark_feed_seen(actor: User) -> None:
    """The next visit marks what arrived after now as "Nouveau"."""
    actor.feed_seen_at = utcnow()


# Follows ------------------------------------------------------------------------------------

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


# Notifications ------------------------------------------------------------------------------

def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"] + path


# RECIPIENT_CHECKS[object_type](user, object_id) -> whether that member may still see the
# object. Owner features register theirs: a member who left a private project is told
# nothing more about its posts, whatever follow or mention pointed at them.
RECIPIENT_CHECKS: dict[str, Callable[[User, int], bool]] = {}


def _delivery(user_id: int, kind: str) -> str:
    row = db.session.get(NotificationPreference, (user_id, kind))
    return row.delivery if row is not None else DEFAULT_DELIVERY[kind]


def do_notify(user_id: int, kind: str, actor: User | None, object_type: str, object_id: int,
              *, text: str, url: str) -> Notification | None:
    """Tell one member about something personal, as their preference for `kind` says.

    `text` is one self-contained plain-text sentence ("Sophie Martin a répondu à votre
    question « … »"), shown in the centre and the emails; `url` a same-site path.
    Returns None when nothing is stored: the actor themself, an unknown or suspended
    recipient, a recipient who may not see the object (RECIPIENT_CHECKS; decisions of
    kind "moderation" still reach the author), or a kind switched off.
    """
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    path = _require_path(url)
    if actor is not None and actor.id == user_id:
        return None
    recipient = db.session.get(User, user_id)
    if recipient is None or not recipient.is_active:
        return None
    check = RECIPIENT_CHECKS.get(object_type)
    if kind != "moderation" and check is not None and not check(recipient, object_id):
        return None
    delivery = _delivery(user_id, kind)
    if delivery == "off":
        return None
    now = utcnow()
    notification = Notification(
        user_id=user_id, kind=kind, actor_id=actor.id if actor is not None else None,
        object_type=object_type, object_id=object_id, text=_line(text, TEXT_MAX), url=path,
        created_at=now, emailed_at=now if delivery == "email" else None)
    db.session.add(notification)
    db.session.flush()
    if delivery == "email":
        _queue_notification_email(recipient, notification)
    publish(user_room(user_id), "notification", {
        "type": "notification", "op": "add", "id": notification.id,
        "unread": unread_count(recipient)})
    return notification


def _queue_notification_email(recipient: User, notification: Notification) -> None:
    to, locale, name = recipient.email, recipient.locale, recipient.display_name
    kind, text = notification.kind, notification.text
    link = _absolute(notification.url)
    preferences_link = _absolute(path_for("notifications.preferences"))

    def deliver() -> None:
        with force_locale(locale):
            _send_safely(to, str(KIND_SUBJECTS[kind]), "notification", name=name, text=text,
                         link=link, preferences_link=preferences_link)

    on_commit(deliver)


def _send_safely(to: str, subject: str, template: str, **context: Any) -> None:
    """Send after commit; a mail server failure is logged, never turned into an error page
    for the member whose action caused the notification (it is stored in-app anyway)."""
    try:
        send_mail(to, subject, template, **context)
    except Exception:
        current_app.logger.exception("notification email to %s failed", to)


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


def _publish_read(user: User, notification_id: int | None) -> None:
    publish(user_room(user.id), "notification", {
        "type": "notification", "op": "read", "id": notification_id,
        "unread": unread_count(user)})


def check_mark_read(actor: User, notification_id: int) -> Notification:
    """Mark one of the member's notifications read; anyone else's looks absent (404)."""
    require(actor, "notifications.view")
    if not valid_id(notification_id):
        raise NotFound()
    notification = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == actor.id,
        Notification.hidden_at.is_(None)))
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    _publish_read(actor, notification.id)
    return notification


def do_mark_all_read(actor: User) -> None:
    """Every visible notification read; hidden ones stay as they were until shown again."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None),
               Notification.hidden_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session="fetch"))
    _publish_read(actor, None)


# Preferences --------------------------------------------------------------------------------

def preferences(user: User) -> dict[str, str]:
    """Delivery per kind, the defaults filled in, in NOTIFICATION_KINDS order."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user.id)).tuples().all())
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NOTIFICATION_KINDS}


def check_set_preferences(user: User, values: dict[str, str]) -> None:
    """Validate then store the member's choices; kinds left out keep their setting."""
    require(user, "notifications.view")
    for kind, delivery in values.items():
        if kind not in NOTIFICATION_KINDS:
            raise Invalid(_l("Type de notification inconnu."))
        if delivery not in DELIVERY:
            raise Invalid(_l("Mode de réception inconnu."), field=kind)
    do_set_preferences(user, values)


def do_set_preferences(user: User, values: dict[str, str]) -> None:
    rows = {row.kind: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, delivery in values.items():
        row = rows.get(kind)
        if row is not None:
            row.delivery = delivery
            continue
        try:
            with db.session.begin_nested():
                db.session.add(NotificationPreference(user_id=user.id, kind=kind,
                                                      delivery=delivery))
        except IntegrityError:  # saved at the same moment from another tab
            db.session.execute(
                update(NotificationPreference)
                .where(NotificationPreference.user_id == user.id,
                       NotificationPreference.kind == kind)
                .values(delivery=delivery))


# Daily digest and one-click unsubscribe -------------------------------------------------------

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


def check_unsubscribe(token: str) -> int:
    """One-click unsubscribe (no login): every "digest" preference becomes "off".

    Returns how many kinds were switched off.
    """
    user = user_for_unsubscribe_token(token)
    digest_kinds = [kind for kind, delivery in preferences(user).items() if delivery == "digest"]
    do_set_preferences(user, dict.fromkeys(digest_kinds, "off"))
    return len(digest_kinds)


def _same_paris_day(a: datetime, b: datetime) -> bool:
    return a.astimezone(PARIS).date() == b.astimezone(PARIS).date()


def send_digests(now: datetime | None = None) -> int:
    """Send each member with "digest" kinds one email listing what they have not seen.

    Per member: unread, not yet emailed, visible notifications of their digest kinds,
    created since their previous digest (the last day for a first one). They are marked
    `emailed_at` and the member's `digest_sent_at` is set, so running again the same day
    (Paris time) sends nothing. Emails leave after the caller's commit. Returns how many.
    """
    now = now or utcnow()
    digest_prefs = select(NotificationPreference.user_id).where(
        NotificationPreference.delivery == "digest")
    users = list(db.session.scalars(
        select(User).where(User.status == "active", User.id.in_(digest_prefs))
        .order_by(User.id)))
    users = [u for u in users if u.digest_sent_at is None
             or not _same_paris_day(u.digest_sent_at, now)]
    if not users:
        return 0
    ids = [user.id for user in users]
    kinds: dict[int, set[str]] = defaultdict(set)
    for user_id, kind in db.session.execute(
            select(NotificationPreference.user_id, NotificationPreference.kind)
            .where(NotificationPreference.user_id.in_(ids),
                   NotificationPreference.delivery == "digest")):
        kinds[user_id].add(kind)
    pending: dict[int, list[Notification]] = defaultdict(list)
    for notification in db.session.scalars(
            select(Notification)
            .where(Notification.user_id.in_(ids), Notification.read_at.is_(None),
                   Notification.emailed_at.is_(None), Notification.hidden_at.is_(None),
                   Notification.created_at <= now)
            .order_by(Notification.id)):
        pending[notification.user_id].append(notification)

    sent = 0
    for user in users:
        since = user.digest_sent_at or (now - timedelta(days=1))
        items = [n for n in pending[user.id]
                 if n.kind in kinds[user.id] and n.created_at > since]
        if not items:
            continue
        for notification in items:
            notification.emailed_at = now
        user.digest_sent_at = now
        _queue_digest_email(user, items)
        sent += 1
    return sent


def _queue_digest_email(user: User, items: list[Notification]) -> None:
    to, locale, name = user.email, user.locale, user.display_name
    shown = [{"text": n.text, "link": _absolute(n.url), "created_at": n.created_at}
             for n in reversed(items[-DIGEST_ITEMS_MAX:])]
    total, more = len(items), max(0, len(items) - DIGEST_ITEMS_MAX)
    unsubscribe_link = _absolute(path_for("notifications.unsubscribe",
                                       token=unsubscribe_token(user)))
    centre_link = _absolute(path_for("notifications.centre"))
    preferences_link = _absolute(path_for("notifications.preferences"))
    headers = {"List-Unsubscribe": f"<{unsubscribe_link}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

    def deliver() -> None:
        with force_locale(locale):
            subject = ngettext("Votre synthèse : %(num)d notification",
                               "Votre synthèse : %(num)d notifications", total)
            _send_safely(to, subject, "digest", headers=headers, name=name, items=shown,
                         more=more, centre_link=centre_link, preferences_link=preferences_link,
                         unsubscribe_link=unsubscribe_link)

    on_commit(deliver)
