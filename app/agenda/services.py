"""Agenda services: the only code that changes events, answers and feed tokens.

Naming as everywhere: `access_*` loads and authorises, `check_*` validates raw input and
acts, `do_*` acts on valid input; nothing here commits.

Other features put their events here (a co-development session, a project meeting) with
`do_upsert_owned_event` and say who is invited with `do_set_invitees`; the agenda then
lists them, reminds the invitees and serves them in .ics files and feeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..accounts.services import hash_token, new_token
from ..db import load_with_membership, utcnow, valid_id
from ..errors import Invalid, NotFound
from ..extensions import db
from ..library import services as library
from ..notifications import services as notifications
from ..paths import path_for
from ..permissions import require
from .models import (
    DOCUMENT_KINDS,
    KINDS,
    AgendaEvent,
    AgendaEventDocument,
    AgendaFeedToken,
    AgendaRsvp,
)

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
LOCATION_MAX = 200
URL_MAX = 500
CAPACITY_MAX = 10_000
PAGE_SIZE = 20
FEED_PAST_DAYS = 90
EVENT_DOCUMENTS_MAX = 10
PARIS = ZoneInfo("Europe/Paris")

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
# The library's document type (../shared/taxonomy.json, document_types) of each kind.
DOCUMENT_TYPES = {"slides": "webinaire", "minutes": "compte-rendu"}
STATE_LABELS = {
    "going": _l("Inscrit·e"),
    "waiting": _l("En liste d'attente"),
    "invited": _l("Invité·e"),
    "declined": _l("Ne participe pas"),
}


@dataclass
class EventAccess:
    """An event as one member sees it, with their answer (None: never answered)."""

    event: AgendaEvent
    rsvp: AgendaRsvp | None


def access_event(actor: User, event_id: int, *, lock: bool = False) -> EventAccess:
    """The event if `actor` may see it; an event of others' (a session one is not part of)
    does not exist for them. `lock` orders concurrent answers on a full event."""
    if not valid_id(event_id):
        raise NotFound()
    require(actor, "agenda.view", hide=True)
    row = load_with_membership(AgendaEvent, event_id, AgendaRsvp.event_id, actor.id, lock=lock)
    if row is None:
        raise NotFound()
    access = EventAccess(*row)
    require(actor, "agenda.event.view", access, hide=True)
    return access


# Validation ----------------------------------------------------------------------------------

def _text(value: object, *, field: str, limit: int, required: bool = False,
          one_line: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."), field=field)
    text = " ".join(value.split()) if one_line else value.replace("\r\n", "\n").strip()
    if required and not text:
        raise Invalid(_l("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise Invalid(_l("Ce texte est trop long (%(n)d caractères au plus).", n=limit),
                      field=field)
    return text


def clean_web_url(value: object, *, field: str, required: bool = False) -> str:
    """An http(s) address (a webconference, a replay); anything else is refused rather than
    turned into a link that runs script or points at a local file."""
    text = _text(value, field=field, limit=URL_MAX)
    if not text:
        if required:
            raise Invalid(_l("Indiquez l'adresse du lien."), field=field)
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise Invalid(_l("Indiquez une adresse web complète, commençant par https://."),
                      field=field)
    return text


def aware(moment: datetime) -> datetime:
    """A time typed in a form is Paris time; stored in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(ZoneInfo("UTC"))


@dataclass
class EventData:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    location: str = ""
    visio_url: str = ""
    capacity: int | None = None


def clean_event(data: EventData) -> EventData:
    if data.kind not in KINDS or data.kind in ("codev", "projet"):
        # Sessions and project meetings come from their feature, with their invitees.
        raise Invalid(_l("Type de rendez-vous inconnu."), field="kind")
    if not isinstance(data.starts_at, datetime) or not isinstance(data.ends_at, datetime):
        raise Invalid(_l("Indiquez la date et l'heure."), field="starts_at")
    starts_at, ends_at = aware(data.starts_at), aware(data.ends_at)
    if ends_at <= starts_at:
        raise Invalid(_l("La fin doit venir après le début."), field="ends_at")
    if ends_at - starts_at > timedelta(days=7):
        raise Invalid(_l("Un rendez-vous dure au plus une semaine."), field="ends_at")
    capacity = data.capacity
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or not 1 <= capacity <= CAPACITY_MAX):
        raise Invalid(_l("La jauge doit être un nombre entre 1 et %(n)d.", n=CAPACITY_MAX),
                      field="capacity")
    return EventData(
        kind=data.kind,
        title=_text(data.title, field="title", limit=TITLE_MAX, required=True),
        starts_at=starts_at, ends_at=ends_at,
        description=_text(data.description, field="description", limit=DESCRIPTION_MAX,
                          one_line=False),
        location=_text(data.location, field="location", limit=LOCATION_MAX),
        visio_url=clean_web_url(data.visio_url, field="visio_url"),
        capacity=capacity)


# Events ----------------------------------------------------------------------------------------

def check_create_event(actor: User, data: EventData) -> AgendaEvent:
    require(actor, "agenda.event.create")
    data = clean_event(data)
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
              "excerpt": _when(event)})
    return event


def _when(event: AgendaEvent) -> str:
    return format_datetime(event.starts_at, "EEEE d MMMM yyyy 'à' HH:mm")


def check_update_event(actor: User, event_id: int, data: EventData) -> AgendaEvent:
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.manage", access)
    data = clean_event(data)
    event = access.event
    going = _count(event.id, "going")
    if data.capacity is not None and data.capacity < going:
        raise Invalid(_l("%(n)d personnes sont déjà inscrites : la jauge ne peut pas être "
                         "plus petite.", n=going), field="capacity")
    moved = (event.starts_at, event.ends_at) != (data.starts_at, data.ends_at)
    for name in ("kind", "title", "description", "starts_at", "ends_at", "location",
                 "visio_url", "capacity"):
        setattr(event, name, getattr(data, name))
    _touch(event)
    if moved:
        # A new date deserves a new reminder.
        for rsvp in db.session.scalars(select(AgendaRsvp).where(AgendaRsvp.event_id == event.id)):
            rsvp.reminded_at = None
    _promote_waiting(event, actor)
    return event


def _touch(event: AgendaEvent) -> None:
    event.sequence += 1
    event.updated_at = utcnow()


def check_cancel_event(actor: User, event_id: int) -> AgendaEvent:
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.manage", access)
    event = access.event
    if event.cancelled_at is None:
        event.cancelled_at = utcnow()
        _touch(event)
        _tell_attendees(event, actor, _l("Le rendez-vous « %(title)s » est annulé.",
                                         title=event.title))
    return event


def _tell_attendees(event: AgendaEvent, actor: User | None, text) -> None:
    for user_id in db.session.scalars(select(AgendaRsvp.user_id).where(
            AgendaRsvp.event_id == event.id,
            AgendaRsvp.state.in_(("going", "waiting", "invited")))):
        notifications.do_notify(user_id, "event", actor, "event", event.id, text=str(text),
                                url=path_for("agenda.event", event_id=event.id))


def check_set_replay(actor: User, event_id: int, replay_url: object) -> AgendaEvent:
    """After the event: the replay link (slides and minutes: `check_attach_document`)."""
    access = access_event(actor, event_id)
    require(actor, "agenda.event.attach", access)
    access.event.replay_url = clean_web_url(replay_url, field="replay_url")
    access.event.updated_at = utcnow()
    return access.event


# Slides and minutes -------------------------------------------------------------------------

@dataclass
class EventDocument:
    """An attached document as one member may see it (`document`: the library's)."""

    link: AgendaEventDocument
    document: library.Document

    @property
    def published(self) -> bool:
        return self.document.state == "published"


def check_attach_document(actor: User, event_id: int, kind: object, filename: str,
                          content: bytes, title: object = "") -> EventDocument:
    """An organiser files the event's slides or minutes in the network's library.

    The library decides as for any submission: published at once when the organiser
    moderates the library (an animator), otherwise queued for its moderators; until
    then only the organiser and the moderators see it on the event's page.
    """
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.documents", access)
    if kind not in DOCUMENT_KINDS:
        raise Invalid(_l("Choisissez s'il s'agit des supports ou du compte rendu."),
                      field="kind")
    if not content:
        raise Invalid(_l("Choisissez le fichier à déposer."), field="file")
    event = access.event
    title = _text(title, field="title", limit=library.TITLE_MAX) or \
        f"{DOCUMENT_LABELS[kind]} — {event.title}"[:library.TITLE_MAX]
    attached = db.session.scalar(select(func.count()).select_from(AgendaEventDocument).where(
        AgendaEventDocument.event_id == event.id)) or 0
    if attached >= EVENT_DOCUMENTS_MAX:
        raise Invalid(_l("Ce rendez-vous a déjà %(n)d documents.", n=EVENT_DOCUMENTS_MAX),
                      field="file")
    when = format_datetime(event.starts_at, "d MMMM yyyy")
    summary = _l("Supports présentés lors de « %(title)s » (%(when)s).", title=event.title,
                 when=when) if kind == "slides" else \
        _l("Compte rendu de « %(title)s » (%(when)s).", title=event.title, when=when)
    try:
        document = library.do_submit_generated(
            actor, filename, content, library.DocumentData(
                title=title, summary=str(summary),
                year=event.starts_at.astimezone(PARIS).year,
                document_type=DOCUMENT_TYPES[kind]))
    except Invalid as error:
        field = "title" if error.field == "title" else "file"
        raise Invalid(error.message, field=field) from error
    link = AgendaEventDocument(event_id=event.id, document_id=document.id, kind=kind,
                               added_by_id=actor.id, created_at=utcnow())
    db.session.add(link)
    db.session.flush()
    return EventDocument(link, document)


def event_documents(actor: User, event: AgendaEvent) -> list[EventDocument]:
    """The event's documents that the library lets `actor` see, slides first."""
    links = list(db.session.scalars(
        select(AgendaEventDocument).where(AgendaEventDocument.event_id == event.id)
        .order_by(AgendaEventDocument.kind.desc(), AgendaEventDocument.created_at,
                  AgendaEventDocument.document_id)))
    documents = library.visible_documents(actor, (link.document_id for link in links))
    return [EventDocument(link, documents[link.document_id]) for link in links
            if link.document_id in documents]


# Events owned by another feature ---------------------------------------------------------------

def owned_event(source_type: str, source_id: int) -> AgendaEvent | None:
    return db.session.scalar(select(AgendaEvent).where(AgendaEvent.source_type == source_type,
                                                       AgendaEvent.source_id == source_id))


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
            # A new date deserves a new reminder (as for network events).
            for rsvp in db.session.scalars(select(AgendaRsvp).where(
                    AgendaRsvp.event_id == event.id)):
                rsvp.reminded_at = None
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


# Answers ------------------------------------------------------------------------------------------

def _count(event_id: int, state: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AgendaRsvp).where(
        AgendaRsvp.event_id == event_id, AgendaRsvp.state == state)) or 0


def check_rsvp(actor: User, event_id: int, answer: str) -> AgendaRsvp:
    """Come or not. A full event puts the member on the waiting list; a seat freed by
    someone's "no" goes to the first in line, who is told."""
    if answer not in ("going", "declined"):
        raise Invalid(_l("Réponse inconnue."))
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.rsvp", access)
    event = access.event
    if event.ends_at <= utcnow():
        raise Invalid(_l("Ce rendez-vous est passé."))
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
        full = event.capacity is not None and _count(event.id, "going") >= event.capacity
        rsvp.state = "waiting" if full else "going"
    else:
        rsvp.state = "declined"
    rsvp.updated_at = now
    db.session.flush()
    _promote_waiting(event, actor)
    return rsvp


def _promote_waiting(event: AgendaEvent, actor: User | None) -> None:
    free = None if event.capacity is None else event.capacity - _count(event.id, "going")
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


# Reminders -------------------------------------------------------------------------------------

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
                        when=_when(event))),
            url=path_for("agenda.event", event_id=event.id))
    db.session.flush()
    return len(rows)


# Private calendar feed ---------------------------------------------------------------------

def check_new_feed_token(actor: User) -> str:
    """A new feed address for the member (the previous one stops working). The token is
    returned once, to be shown; only its hash is stored."""
    require(actor, "agenda.feed.manage")
    token, token_hash = new_token()
    row = db.session.get(AgendaFeedToken, actor.id)
    if row is None:
        row = AgendaFeedToken(user_id=actor.id)
        db.session.add(row)
    row.token_hash = token_hash
    row.created_at = utcnow()
    row.used_at = None
    db.session.flush()
    return token


def do_revoke_feed_token(actor: User) -> bool:
    row = db.session.get(AgendaFeedToken, actor.id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


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
