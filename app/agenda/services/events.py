"""Writing events: the network's own (webinars, weekly animations, the annual meeting),
created and changed by their organisers, and the entries other features own (a
co-development session, a project meeting), kept in step with their invitees."""

from __future__ import annotations

from datetime import datetime

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
from .access import access_event
from .pages import event_when
from .queries import count_answers, owned_event
from .rsvp import do_promote_waiting
from .validation import TITLE_MAX, EventData, clean_event, clean_web_url


def _touch(event: AgendaEvent) -> None:
    event.sequence += 1
    event.updated_at = utcnow()


def _reset_reminders(event: AgendaEvent) -> None:
    """A new date deserves a new reminder."""
    for rsvp in db.session.scalars(select(AgendaRsvp).where(AgendaRsvp.event_id == event.id)):
        rsvp.reminded_at = None


def _tell_attendees(event: AgendaEvent, actor: User | None, text) -> None:
    attendees = db.session.scalars(select(AgendaRsvp.user_id).where(
        AgendaRsvp.event_id == event.id, AgendaRsvp.state.in_(("going", "waiting", "invited"))))
    notifications.do_notify_many(attendees, "event", actor, "event", event.id, text=str(text),
                                 url=path_for("agenda.event", event_id=event.id))


# The network's events --------------------------------------------------------------------------

def check_create_event(actor: User, data: EventData) -> AgendaEvent:
    require(actor, "agenda.event.create")
    return do_create_event(actor, clean_event(data))


def do_create_event(actor: User, data: EventData) -> AgendaEvent:
    """Publish a network event (valid `data`) and announce it in the activity feed."""
    now = utcnow()
    event = AgendaEvent(kind=data.kind, title=data.title, description=data.description,
                        starts_at=data.starts_at, ends_at=data.ends_at, location=data.location,
                        visio_url=data.visio_url, capacity=data.capacity,
                        visibility="network", organizer_id=actor.id, sequence=0,
                        created_at=now, updated_at=now)
    db.session.add(event)
    db.session.flush()
    notifications.do_record_activity(
        "event.created", actor, "event", event.id, broadcast=True,
        data={"title": event.title, "url": path_for("agenda.event", event_id=event.id),
              "excerpt": event_when(event)})
    return event


def check_update_event(actor: User, event_id: int, data: EventData) -> AgendaEvent:
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.manage", access)
    data = clean_event(data)
    going = count_answers(access.event.id, "going")
    if data.capacity is not None and data.capacity < going:
        raise Invalid(_l("%(n)d personnes sont déjà inscrites : la jauge ne peut pas être "
                         "plus petite.", n=going), field="capacity")
    return do_update_event(actor, access.event, data)


def do_update_event(actor: User, event: AgendaEvent, data: EventData) -> AgendaEvent:
    """Apply the organiser's changes; a bigger capacity lets the waiting list in."""
    moved = (event.starts_at, event.ends_at) != (data.starts_at, data.ends_at)
    for name in ("kind", "title", "description", "starts_at", "ends_at", "location",
                 "visio_url", "capacity"):
        setattr(event, name, getattr(data, name))
    _touch(event)
    if moved:
        _reset_reminders(event)
    do_promote_waiting(event, actor)
    return event


def check_cancel_event(actor: User, event_id: int) -> AgendaEvent:
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.manage", access)
    return do_cancel_event(actor, access.event)


def do_cancel_event(actor: User, event: AgendaEvent) -> AgendaEvent:
    """Cancel once; everyone who answered or was invited is told."""
    if event.cancelled_at is None:
        event.cancelled_at = utcnow()
        _touch(event)
        _tell_attendees(event, actor, _l("Le rendez-vous « %(title)s » est annulé.",
                                         title=event.title))
    return event


def check_set_replay(actor: User, event_id: int, replay_url: object) -> AgendaEvent:
    """After the event: the replay link (slides and minutes: `check_attach_document`)."""
    access = access_event(actor, event_id)
    require(actor, "agenda.event.attach", access)
    return do_set_replay(access.event, clean_web_url(replay_url, field="replay_url"))


def do_set_replay(event: AgendaEvent, replay_url: str) -> AgendaEvent:
    event.replay_url = replay_url
    event.updated_at = utcnow()
    return event


# Events owned by another feature ---------------------------------------------------------------

def do_upsert_owned_event(source_type: str, source_id: int, *, kind: str, title: str,
                          starts_at: datetime, ends_at: datetime, organizer_id: int | None,
                          description: str = "", visio_url: str = "",
                          cancelled: bool = False) -> AgendaEvent:
    """Create or update the agenda entry of another feature's object (visible to its
    invitees only)."""
    event = owned_event(source_type, source_id)
    now = utcnow()
    if event is None:
        event = AgendaEvent(source_type=source_type, source_id=source_id, kind=kind,
                            visibility="invited", sequence=0, created_at=now)
        db.session.add(event)
    elif (event.title, event.starts_at, event.ends_at, event.description, event.visio_url,
          event.is_cancelled) == (title[:TITLE_MAX], starts_at, ends_at, description,
                                  visio_url, cancelled):
        return event
    else:
        event.sequence += 1
        if event.starts_at != starts_at:
            _reset_reminders(event)
    event.title = title[:TITLE_MAX]
    event.starts_at, event.ends_at = starts_at, ends_at
    event.description, event.visio_url = description, visio_url
    event.organizer_id = organizer_id
    event.cancelled_at = (event.cancelled_at or now) if cancelled else None
    event.updated_at = now
    db.session.flush()
    return event


def do_set_invitees(event: AgendaEvent, user_ids: list[int]) -> None:
    """Exactly these members attend the owned event (they see it, get its reminder)."""
    wanted = set(user_ids)
    rows = {r.user_id: r for r in db.session.scalars(
        select(AgendaRsvp).where(AgendaRsvp.event_id == event.id))}
    now = utcnow()
    for user_id, row in rows.items():
        if user_id not in wanted:
            db.session.delete(row)
    for user_id in wanted - set(rows):
        db.session.add(AgendaRsvp(event_id=event.id, user_id=user_id, state="going",
                                  updated_at=now))
    db.session.flush()
