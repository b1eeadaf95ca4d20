"""A member's choice of delivery per kind, and the digest's one-click unsubscribe."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...errors import Invalid
from ...extensions import db
from ...permissions import require
from ..models import DELIVERY, NOTIFICATION_KINDS, NotificationPreference
from .queries import preferences, user_for_unsubscribe_token


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


def check_unsubscribe(token: str) -> int:
    """One-click unsubscribe (no login): every "digest" preference becomes "off".

    Returns how many kinds were switched off.
    """
    user = user_for_unsubscribe_token(token)
    digest_kinds = [kind for kind, delivery in preferences(user).items() if delivery == "digest"]
    do_set_preferences(user, dict.fromkeys(digest_kinds, "off"))
    return len(digest_kinds)
