"""The plain reads the writes and the private feed share: an owned event, seat counts, a
member's feed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...accounts.services import hash_token
from ...db import utcnow
from ...extensions import db
from ..models import AgendaEvent, AgendaFeedToken, AgendaRsvp

FEED_PAST_DAYS = 90


def owned_event(source_type: str, source_id: int) -> AgendaEvent | None:
    """The agenda entry of another feature's object (a session, a meeting), if any."""
    return db.session.scalar(select(AgendaEvent).where(AgendaEvent.source_type == source_type,
                                                       AgendaEvent.source_id == source_id))


def count_answers(event_id: int, state: str) -> int:
    """How many members gave this answer ("going": the seats taken)."""
    return db.session.scalar(select(func.count()).select_from(AgendaRsvp).where(
        AgendaRsvp.event_id == event_id, AgendaRsvp.state == state)) or 0


def has_feed_token(actor: User) -> bool:
    return db.session.get(AgendaFeedToken, actor.id) is not None


def user_for_feed_token(token: str) -> User | None:
    """The member whose feed this is, if the token is current and they are still active."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(
        select(AgendaFeedToken, User).join(User, User.id == AgendaFeedToken.user_id)
        .where(AgendaFeedToken.token_hash == hash_token(token))).first()
    if row is None or not row[1].is_active:
        return None
    return row[1]


def feed_events(user: User) -> list[AgendaEvent]:
    """What the member's calendar shows: events they come to, are invited to or wait for,
    from FEED_PAST_DAYS ago on (cancelled ones too, so calendars remove them)."""
    since = utcnow() - timedelta(days=FEED_PAST_DAYS)
    return list(db.session.scalars(
        select(AgendaEvent).join(AgendaRsvp, AgendaRsvp.event_id == AgendaEvent.id)
        .where(AgendaRsvp.user_id == user.id,
               AgendaRsvp.state.in_(("going", "waiting", "invited")),
               AgendaEvent.starts_at >= since)
        .options(joinedload(AgendaEvent.organizer))
        .order_by(AgendaEvent.starts_at, AgendaEvent.id)))
