"""The daily digest: one email per member listing what they chose to read later."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import force_locale, ngettext
from sqlalchemy import select

from ...accounts.models import User
from ...db import utcnow
from ...extensions import db
from ...mailer import send_mail
from ...paths import path_for
from ..models import Notification, NotificationPreference
from .common import DIGEST_ITEMS_MAX, PARIS, absolute_url
from .queries import unsubscribe_token


def _same_paris_day(a: datetime, b: datetime) -> bool:
    return a.astimezone(PARIS).date() == b.astimezone(PARIS).date()


def do_send_digests(now: datetime | None = None) -> int:
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
    shown = [{"text": n.text, "link": absolute_url(n.url), "created_at": n.created_at}
             for n in reversed(items[-DIGEST_ITEMS_MAX:])]
    total, more = len(items), max(0, len(items) - DIGEST_ITEMS_MAX)
    unsubscribe_link = absolute_url(path_for("notifications.unsubscribe",
                                       token=unsubscribe_token(user)))
    centre_link = absolute_url(path_for("notifications.centre"))
    preferences_link = absolute_url(path_for("notifications.preferences"))
    headers = {"List-Unsubscribe": f"<{unsubscribe_link}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

    with force_locale(locale):
        subject = ngettext("Votre synthèse : %(num)d notification",
                           "Votre synthèse : %(num)d notifications", total)
        send_mail(to, subject, "digest", headers=headers, locale=locale, name=name,
                  items=shown, more=more, centre_link=centre_link,
                  preferences_link=preferences_link, unsubscribe_link=unsubscribe_link)
