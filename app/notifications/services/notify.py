"""Notifications: telling members about something personal, as each of them chose.

`do_notify_many` costs the same few statements whatever the number of recipients (a chat
message to 300 members, a meeting for a whole project): one read of the recipients, one of
their preferences, one insert, one count of their unread notifications.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select, update

from ...accounts.models import User
from ...db import utcnow, valid_id
from ...errors import NotFound
from ...extensions import db
from ...mailer import send_mail
from ...paths import path_for
from ...permissions import require
from ...realtime import publish, user_room
from ..models import NOTIFICATION_KINDS, Notification
from .common import KIND_SUBJECTS, RECIPIENT_CHECKS, TEXT_MAX, absolute_url, one_line, require_path
from .queries import deliveries, unread_count, unread_counts


def do_notify(user_id: int, kind: str, actor: User | None, object_type: str, object_id: int,
              *, text: str, url: str) -> Notification | None:
    """Tell one member; see `do_notify_many`. None when nothing is stored."""
    stored = do_notify_many([user_id], kind, actor, object_type, object_id, text=text, url=url)
    return stored[0] if stored else None


def do_notify_many(user_ids: Iterable[int], kind: str, actor: User | None, object_type: str,
                   object_id: int, *, text: str, url: str) -> list[Notification]:
    """Tell several members the same thing, each as their preference for `kind` says.

    `text` is one self-contained plain-text sentence ("Sophie Martin a répondu à votre
    question « … »"), shown in the centre and the emails; `url` a same-site path.
    Nothing is stored for the actor themself, an unknown or suspended recipient, a
    recipient who may not see the object (RECIPIENT_CHECKS; decisions of kind "moderation"
    still reach the author), or a recipient who switched the kind off.
    """
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    path = require_path(url)
    ids = sorted({uid for uid in user_ids if actor is None or uid != actor.id})
    if not ids:
        return []
    recipients = [user for user in db.session.scalars(
        select(User).where(User.id.in_(ids)).order_by(User.id)) if user.is_active]
    check = RECIPIENT_CHECKS.get(object_type)
    if kind != "moderation" and check is not None:
        recipients = [user for user in recipients if check(user, object_id)]
    delivery = deliveries([user.id for user in recipients], kind)
    recipients = [user for user in recipients if delivery[user.id] != "off"]
    if not recipients:
        return []
    now, line = utcnow(), one_line(text, TEXT_MAX)
    # One INSERT ... RETURNING for all (an ORM flush sends one per row on SQLite); rows are
    # matched back by recipient, since RETURNING does not promise the order of VALUES.
    by_user = {notification.user_id: notification for notification in db.session.scalars(
        insert(Notification).returning(Notification),
        [{"user_id": user.id, "kind": kind, "actor_id": actor.id if actor is not None else None,
          "object_type": object_type, "object_id": object_id, "text": line, "url": path,
          "created_at": now, "emailed_at": now if delivery[user.id] == "email" else None}
         for user in recipients])}
    stored = [by_user[user.id] for user in recipients]
    unread = unread_counts(user.id for user in recipients)
    for user, notification in zip(recipients, stored, strict=True):
        if delivery[user.id] == "email":
            _queue_notification_email(user, notification)
        publish(user_room(user.id), "notification", {
            "type": "notification", "op": "add", "id": notification.id,
            "unread": unread[user.id]})
    return stored


def _queue_notification_email(recipient: User, notification: Notification) -> None:
    """Rendered now in the recipient's language; the job "mail.send" sends it after the
    commit, retried if the mail server fails (it is stored in-app anyway)."""
    send_mail(recipient.email, KIND_SUBJECTS[notification.kind], "notification",
              locale=recipient.locale, name=recipient.display_name, text=notification.text,
              link=absolute_url(notification.url),
              preferences_link=absolute_url(path_for("notifications.preferences")))


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
    do_mark_read(actor, notification)
    return notification


def do_mark_read(actor: User, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    _publish_read(actor, notification.id)


def do_mark_all_read(actor: User) -> None:
    """Every visible notification read; hidden ones stay as they were until shown again."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None),
               Notification.hidden_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session="fetch"))
    _publish_read(actor, None)
