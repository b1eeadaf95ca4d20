"""Answers: coming or not, the waiting list of a full event, and the reminders sent to
those who come."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...notifications import services as notifications
from ...paths import path_for
from ...permissions import require
from ..models import AgendaEvent, AgendaRsvp
from .access import EventAccess, access_event
from .pages import event_when, is_past
from .queries import count_answers


def check_rsvp(actor: User, event_id: int, answer: str) -> AgendaRsvp:
    """Come or not. A full event puts the member on the waiting list; a seat freed by
    someone's "no" goes to the first in line, who is told."""
    if answer not in ("going", "declined"):
        raise Invalid(_l("Réponse inconnue."))
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.rsvp", access)
    if is_past(access.event):
        raise Invalid(_l("Ce rendez-vous est passé."))
    return do_rsvp(actor, access, answer)


def do_rsvp(actor: User, access: EventAccess, answer: str) -> AgendaRsvp:
    """Record the answer ("going" or "declined"); answering the same twice changes nothing."""
    event = access.event
    rsvp = access.rsvp
    now = utcnow()
    if rsvp is None:
        rsvp = AgendaRsvp(event_id=event.id, user_id=actor.id, state="declined", updated_at=now)
        db.session.add(rsvp)
    if answer == "going" and rsvp.state in ("going", "waiting"):
        return rsvp
    if answer == "declined" and rsvp.state == "declined":
        return rsvp
    if answer == "going":
        full = event.capacity is not None and count_answers(event.id, "going") >= event.capacity
        rsvp.state = "waiting" if full else "going"
    else:
        rsvp.state = "declined"
    rsvp.updated_at = now
    db.session.flush()
    do_promote_waiting(event, actor)
    return rsvp


def do_promote_waiting(event: AgendaEvent, actor: User | None) -> None:
    """Free seats go to the waiting list, first come first served; each one promoted is
    told."""
    free = None if event.capacity is None else event.capacity - count_answers(event.id, "going")
    query = (select(AgendaRsvp).where(AgendaRsvp.event_id == event.id,
                                      AgendaRsvp.state == "waiting")
             .order_by(AgendaRsvp.updated_at, AgendaRsvp.user_id))
    if free is not None:
        if free <= 0:
            return
        query = query.limit(free)
    for rsvp in db.session.scalars(query):
        rsvp.state = "going"
        rsvp.updated_at = utcnow()
        notifications.do_notify(
            rsvp.user_id, "event", None, "event", event.id,
            text=str(_l("Une place s'est libérée : vous êtes inscrit·e à « %(title)s ».",
                        title=event.title)),
            url=path_for("agenda.event", event_id=event.id))
    db.session.flush()


def do_send_reminders(now: datetime | None = None, hours: int | None = None) -> int:
    """Remind everyone coming to an event that starts within `hours` (in-app, and by email
    when their preference for "event" says so). Each member is reminded once per event
    date: running it every few minutes from cron sends nothing twice."""
    now = now or utcnow()
    hours = hours or current_app.config["AGENDA_REMINDER_HOURS"]
    rows = db.session.execute(
        select(AgendaRsvp, AgendaEvent).join(AgendaEvent, AgendaEvent.id == AgendaRsvp.event_id)
        .where(AgendaEvent.starts_at > now, AgendaEvent.starts_at <= now + timedelta(hours=hours),
               AgendaEvent.cancelled_at.is_(None), AgendaRsvp.state == "going",
               AgendaRsvp.reminded_at.is_(None))
        .order_by(AgendaEvent.starts_at, AgendaRsvp.user_id)).all()
    for rsvp, event in rows:
        rsvp.reminded_at = now
        notifications.do_notify(
            rsvp.user_id, "event", None, "event", event.id,
            text=str(_l("Rappel : « %(title)s » commence %(when)s.", title=event.title,
                        when=event_when(event))),
            url=path_for("agenda.event", event_id=event.id))
    db.session.flush()
    return len(rows)
