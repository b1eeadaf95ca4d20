"""What the agenda's pages show: the list of events by keyset, who comes to one, its
documents as the library lets each member see them, and the labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ...accounts.models import User
from ...db import utcnow, valid_id
from ...extensions import db
from ...library import services as library
from ...permissions import require
from ..models import KINDS, AgendaEvent, AgendaEventDocument, AgendaRsvp

PAGE_SIZE = 20

KIND_LABELS = {
    "webinaire": _l("Webinaire"),
    "animation": _l("Animation hebdomadaire"),
    "rencontre": _l("Rencontre annuelle"),
    "codev": _l("Session de codéveloppement"),
    "projet": _l("Réunion de projet"),
    "autre": _l("Autre rendez-vous"),
}
DOCUMENT_LABELS = {
    "slides": _l("Supports"),
    "minutes": _l("Compte rendu"),
}
STATE_LABELS = {
    "going": _l("Inscrit·e"),
    "waiting": _l("En liste d'attente"),
    "invited": _l("Invité·e"),
    "declined": _l("Ne participe pas"),
}


def is_past(event: AgendaEvent) -> bool:
    """Over: nobody answers it any more."""
    return event.ends_at <= utcnow()


def event_when(event: AgendaEvent) -> str:
    """The start, as notifications say it ("mardi 10 mars 2026 à 09:00")."""
    return format_datetime(event.starts_at, "EEEE d MMMM yyyy 'à' HH:mm")


def attendees(event: AgendaEvent) -> dict[str, list[User]]:
    """Members per answer, by name (the waiting list in its order)."""
    rows = db.session.execute(
        select(AgendaRsvp.state, User).join(User, User.id == AgendaRsvp.user_id)
        .where(AgendaRsvp.event_id == event.id)
        .order_by(AgendaRsvp.state, AgendaRsvp.updated_at, User.id)).all()
    result: dict[str, list[User]] = {"going": [], "waiting": [], "invited": [], "declined": []}
    for state, user in rows:
        result[state].append(user)
    result["going"].sort(key=lambda u: (u.display_name, u.id))
    return result


# Slides and minutes -------------------------------------------------------------------------

@dataclass
class EventDocument:
    """An attached document as one member may see it (`document`: the library's)."""

    link: AgendaEventDocument
    document: library.Document

    @property
    def published(self) -> bool:
        return self.document.state == "published"


def event_documents(actor: User, event: AgendaEvent) -> list[EventDocument]:
    """The event's documents that the library lets `actor` see, slides first."""
    links = list(db.session.scalars(
        select(AgendaEventDocument).where(AgendaEventDocument.event_id == event.id)
        .order_by(AgendaEventDocument.kind.desc(), AgendaEventDocument.created_at,
                  AgendaEventDocument.document_id)))
    documents = library.visible_documents(actor, (link.document_id for link in links))
    return [EventDocument(link, documents[link.document_id]) for link in links
            if link.document_id in documents]


# Lists -----------------------------------------------------------------------------------------

@dataclass
class EventItem:
    event: AgendaEvent
    state: str | None
    going: int


@dataclass
class EventPage:
    items: list[EventItem]
    next_cursor: str | None


def _visible_to(actor: User):
    mine = select(AgendaRsvp.event_id).where(AgendaRsvp.user_id == actor.id)
    return or_(AgendaEvent.visibility == "network", AgendaEvent.id.in_(mine),
               AgendaEvent.organizer_id == actor.id)


def parse_cursor(raw: str | None) -> tuple[datetime, int] | None:
    """"<iso time>_<id>": the keyset of the last event of the previous page."""
    if not raw or "_" not in raw or len(raw) > 80:
        return None
    moment, _sep, raw_id = raw.rpartition("_")
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if when.tzinfo is None or not raw_id.isdigit() or not valid_id(int(raw_id)):
        return None
    return when, int(raw_id)


def events_page(actor: User, *, kind: str | None = None, mine: bool = False,
                past: bool = False, cursor: str | None = None,
                limit: int = PAGE_SIZE) -> EventPage:
    """Upcoming events soonest first (or past ones latest first), by keyset; three queries
    whatever the page length (events, the member's answers, the seat counts)."""
    require(actor, "agenda.view")
    now = utcnow()
    stmt = select(AgendaEvent).where(_visible_to(actor))
    if kind in KINDS:
        stmt = stmt.where(AgendaEvent.kind == kind)
    if mine:
        stmt = stmt.where(AgendaEvent.id.in_(select(AgendaRsvp.event_id).where(
            AgendaRsvp.user_id == actor.id, AgendaRsvp.state.in_(("going", "waiting",
                                                                  "invited")))))
    keyset = parse_cursor(cursor)
    if past:
        stmt = stmt.where(AgendaEvent.ends_at < now)
        if keyset:
            stmt = stmt.where(or_(AgendaEvent.starts_at < keyset[0],
                                  and_(AgendaEvent.starts_at == keyset[0],
                                       AgendaEvent.id < keyset[1])))
        stmt = stmt.order_by(AgendaEvent.starts_at.desc(), AgendaEvent.id.desc())
    else:
        stmt = stmt.where(AgendaEvent.ends_at >= now)
        if keyset:
            stmt = stmt.where(or_(AgendaEvent.starts_at > keyset[0],
                                  and_(AgendaEvent.starts_at == keyset[0],
                                       AgendaEvent.id > keyset[1])))
        stmt = stmt.order_by(AgendaEvent.starts_at, AgendaEvent.id)
    events = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(events) > limit
    events = events[:limit]
    ids = [e.id for e in events]
    states: dict[int, str] = {}
    going: dict[int, int] = {}
    if ids:
        states = dict(db.session.execute(select(AgendaRsvp.event_id, AgendaRsvp.state).where(
            AgendaRsvp.user_id == actor.id, AgendaRsvp.event_id.in_(ids))).all())
        going = dict(db.session.execute(
            select(AgendaRsvp.event_id, func.count()).where(
                AgendaRsvp.event_id.in_(ids), AgendaRsvp.state == "going")
            .group_by(AgendaRsvp.event_id)).all())
    items = [EventItem(e, states.get(e.id), going.get(e.id, 0)) for e in events]
    next_cursor = f"{events[-1].starts_at.isoformat()}_{events[-1].id}" if more else None
    return EventPage(items, next_cursor)
