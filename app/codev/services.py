"""Co-development services: the only code that changes sessions, participants, phases and
contributions.

Naming as everywhere: `access_*` loads and authorises, `check_*` validates raw input and
acts, `do_*` acts on valid input; nothing here commits. Live events (docs/realtime.md,
"### Co-development") are published to the room `codev:<id>` after the caller's commit.

Who may write what, when, is the permission policy's (`codev.post.<kind>` in
app/permissions.py: the running phase and the member's role); the timer is data on the
session (`models.py`), read against `clock.now()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import taxonomy
from ..accounts.models import User
from ..agenda import services as agenda
from ..db import load_with_membership, valid_id
from ..errors import Invalid, NotFound, RateLimited, TooLong
from ..extensions import db, limiter
from ..library import services as library
from ..notifications import services as notifications
from ..paths import path_for
from ..permissions import CODEV_POSTING, can, require
from ..projects import services as projects
from ..realtime import emit_now, publish
from ..sanitize import render_markdown
from . import clock, record
from .models import (
    CONFIDENTIALITY,
    KINDS,
    TAKING_PART,
    CodevContribution,
    CodevParticipant,
    CodevRecord,
    CodevSession,
)
from .presence import get_presence

SUBJECT_MAX = 200
TEXT_MAX = 2000
CONSULTANTS_MIN = 3
CONSULTANTS_MAX = 7
PHASE_MINUTES_MAX = 120
EXTEND_MINUTES_MAX = 30
SESSION_LENGTH_SLACK = timedelta(minutes=15)
PAGE_SIZE = 20

ROLE_LABELS = {
    "facilitator": _l("Animateur·rice"),
    "client": _l("Client·e"),
    "consultant": _l("Consultant·e"),
}
STATUS_LABELS = {
    "scheduled": _l("Programmée"),
    "live": _l("En cours"),
    "ended": _l("Terminée"),
    "cancelled": _l("Annulée"),
}


@dataclass(frozen=True)
class Phase:
    index: int
    code: str
    label: str
    minutes: int
    who_speaks: str


def phases() -> list[Phase]:
    """The six phases, in order, with their default minutes (../shared/taxonomy.json)."""
    return [Phase(t.data.get("order", n + 1), t.code, t.label, int(t.data.get("minutes", 10)),
                  t.data.get("who_speaks", ""))
            for n, t in enumerate(taxonomy.terms("codev_phase"))]


@dataclass
class SessionAccess:
    """A session as one member sees it: the session and their participation (None when
    they were never invited nor asked). Permission rules read both."""

    session: CodevSession
    participant: CodevParticipant | None

    @property
    def role(self) -> str | None:
        return self.participant.role if self.participant is not None else None


def _load(actor: User, session_id: int, *, lock: bool = False) -> SessionAccess:
    if not valid_id(session_id) or not can(actor, "codev.use"):
        raise NotFound()
    row = load_with_membership(CodevSession, session_id, CodevParticipant.session_id, actor.id,
                               lock=lock)
    if row is None:
        raise NotFound()
    return SessionAccess(*row)


def access_session(actor: User, session_id: int, *, lock: bool = False) -> SessionAccess:
    """The session if `actor` takes part; for anyone else it does not exist (NotFound)."""
    access = _load(actor, session_id, lock=lock)
    require(actor, "codev.session.view", access, hide=True)
    return access


def access_card(actor: User, session_id: int) -> SessionAccess:
    """The session's public card: participants, and members who may ask to join an open
    session that has not started."""
    access = _load(actor, session_id)
    require(actor, "codev.session.card", access, hide=True)
    return access


def room(session_id: int) -> str:
    return f"codev:{session_id}"


# Scheduling -------------------------------------------------------------------------------------

@dataclass
class SessionData:
    subject: str
    scheduled_at: datetime
    visio_url: str
    client_id: int
    consultant_ids: list[int]
    confidentiality: str = "participants"
    open_to_requests: bool = True
    durations: dict[str, int] = field(default_factory=dict)


def _clean_text(value: object, *, field: str, limit: int, one_line: bool = False) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."), field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."),
                      field=field) from error
    text = " ".join(value.split()) if one_line else value.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_l("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise TooLong(_l("Ce texte est trop long (%(n)d caractères au plus).", n=limit),
                      field=field)
    return text


def clean_durations(raw: dict[str, object], defaults: list[Phase]) -> dict[str, int]:
    durations = {}
    for phase in defaults:
        value = raw.get(phase.code, phase.minutes)
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 1 <= value <= PHASE_MINUTES_MAX:
            raise Invalid(_l("Chaque phase dure de 1 à %(n)d minutes.", n=PHASE_MINUTES_MAX),
                          field=f"duration_{phase.code}")
        durations[phase.code] = value
    return durations


def _active_members(ids: list[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(ids), User.status == "active"))}


def check_schedule(actor: User, data: SessionData) -> CodevSession:
    """Schedule a session led by `actor`: the client and 3 to 7 consultants are invited,
    and it appears in their agenda."""
    require(actor, "codev.session.schedule")
    subject = _clean_text(data.subject, field="subject", limit=SUBJECT_MAX, one_line=True)
    scheduled_at = agenda.aware(data.scheduled_at) if isinstance(data.scheduled_at, datetime) \
        else None
    if scheduled_at is None:
        raise Invalid(_l("Indiquez la date et l'heure."), field="scheduled_at")
    if scheduled_at <= clock.now():
        raise Invalid(_l("Choisissez une date à venir."), field="scheduled_at")
    visio_url = agenda.clean_web_url(data.visio_url, field="visio_url", required=True)
    if data.confidentiality not in CONFIDENTIALITY:
        raise Invalid(_l("Choix de confidentialité inconnu."), field="confidentiality")
    consultant_ids = list(dict.fromkeys(data.consultant_ids))
    if not valid_id(data.client_id):
        raise Invalid(_l("Choisissez le ou la client·e."), field="client_id")
    if data.client_id == actor.id:
        raise Invalid(_l("L'animateur·rice ne peut pas être aussi le ou la client·e."),
                      field="client_id")
    if actor.id in consultant_ids or data.client_id in consultant_ids:
        raise Invalid(_l("Les consultant·es sont d'autres membres que l'animateur·rice et "
                         "le ou la client·e."), field="consultant_ids")
    if not CONSULTANTS_MIN <= len(consultant_ids) <= CONSULTANTS_MAX:
        raise Invalid(_l("Invitez de %(min)d à %(max)d consultant·es.", min=CONSULTANTS_MIN,
                         max=CONSULTANTS_MAX), field="consultant_ids")
    members = _active_members([data.client_id, *consultant_ids])
    if data.client_id not in members:
        raise Invalid(_l("Membre inconnu."), field="client_id")
    if any(uid not in members for uid in consultant_ids):
        raise Invalid(_l("Membre inconnu."), field="consultant_ids")
    durations = clean_durations(data.durations, phases())
    session = CodevSession(
        subject=subject, scheduled_at=scheduled_at, visio_url=visio_url,
        confidentiality=data.confidentiality, open_to_requests=bool(data.open_to_requests),
        facilitator_id=actor.id, client_id=data.client_id, status="scheduled",
        durations=durations, phase_index=0, phase_code="", phase_planned_seconds=0,
        phase_extra_seconds=0, created_at=clock.now())
    db.session.add(session)
    db.session.flush()
    now = clock.now()
    db.session.add(CodevParticipant(session_id=session.id, user_id=actor.id,
                                    role="facilitator", state="accepted", created_at=now))
    db.session.add(CodevParticipant(session_id=session.id, user_id=data.client_id,
                                    role="client", state="invited", created_at=now))
    for uid in consultant_ids:
        db.session.add(CodevParticipant(session_id=session.id, user_id=uid, role="consultant",
                                        state="invited", created_at=now))
    db.session.flush()
    _sync_agenda(session)
    url = path_for("codev.session", session_id=session.id)
    for uid in [data.client_id, *consultant_ids]:
        notifications.do_notify(
            uid, "event", actor, "codev_session", session.id, url=url,
            text=str(_l("%(name)s vous invite à une session de codéveloppement « %(subject)s ».",
                        name=actor.display_name, subject=subject)))
    return session


def _participant_ids(session_id: int) -> list[int]:
    return list(db.session.scalars(select(CodevParticipant.user_id).where(
        CodevParticipant.session_id == session_id,
        CodevParticipant.state.in_(TAKING_PART))))


def _sync_agenda(session: CodevSession) -> None:
    """The session's entry in its participants' agenda follows its date and its people."""
    minutes = sum(session.durations.values())
    event = agenda.do_upsert_owned_event(
        "codev", session.id, kind="codev",
        title=str(_l("Codéveloppement : %(subject)s", subject=session.subject)),
        starts_at=session.scheduled_at,
        ends_at=session.scheduled_at + timedelta(minutes=minutes) + SESSION_LENGTH_SLACK,
        organizer_id=session.facilitator_id, visio_url=session.visio_url,
        cancelled=session.status == "cancelled")
    agenda.do_set_invitees(event, _participant_ids(session.id))


def check_set_durations(actor: User, session_id: int, raw: dict[str, object]) -> CodevSession:
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.session.manage", access)
    session = access.session
    if session.status != "scheduled":
        raise Invalid(_l("Les durées se règlent avant le début de la session."))
    session.durations = clean_durations(raw, phases())
    _sync_agenda(session)
    _publish_phase(session)
    return session


def check_cancel(actor: User, session_id: int) -> CodevSession:
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.session.manage", access)
    session = access.session
    if session.status != "scheduled":
        raise Invalid(_l("Seule une session qui n'a pas commencé peut être annulée."))
    ids = _participant_ids(session.id)
    session.status = "cancelled"
    _sync_agenda(session)
    for uid in ids:
        notifications.do_notify(
            uid, "event", actor, "codev_session", session.id,
            url=path_for("codev.index"),
            text=str(_l("La session de codéveloppement « %(subject)s » est annulée.",
                        subject=session.subject)))
    _publish_phase(session)
    return session


# Joining ---------------------------------------------------------------------------------------

def _consultants_taking_part(session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CodevParticipant).where(
        CodevParticipant.session_id == session_id, CodevParticipant.role == "consultant",
        CodevParticipant.state.in_(TAKING_PART))) or 0


def check_request_join(actor: User, session_id: int) -> CodevParticipant:
    """Ask the facilitator for a consultant's seat."""
    access = _load(actor, session_id, lock=True)
    if access.participant is not None and access.participant.state == "requested":
        return access.participant
    require(actor, "codev.session.request", access, hide=True)
    participant = CodevParticipant(session_id=access.session.id, user_id=actor.id,
                                   role="consultant", state="requested", created_at=clock.now())
    db.session.add(participant)
    db.session.flush()
    notifications.do_notify(
        access.session.facilitator_id, "event", actor, "codev_session", access.session.id,
        url=path_for("codev.session", session_id=access.session.id),
        text=str(_l("%(name)s demande à rejoindre la session « %(subject)s ».",
                    name=actor.display_name, subject=access.session.subject)))
    return participant


def check_answer_request(actor: User, session_id: int, user_id: int,
                         accept: bool) -> CodevParticipant:
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.session.manage", access)
    participant = db.session.get(CodevParticipant, (access.session.id, user_id)) \
        if valid_id(user_id) else None
    if participant is None or participant.state != "requested":
        raise NotFound()
    if accept:
        if access.session.status != "scheduled":
            raise Invalid(_l("La session a déjà commencé."))
        if _consultants_taking_part(access.session.id) >= CONSULTANTS_MAX:
            raise Invalid(_l("La session compte déjà %(n)d consultant·es.", n=CONSULTANTS_MAX))
    participant.state = "accepted" if accept else "declined"
    db.session.flush()
    _sync_agenda(access.session)
    text = _l("Vous participez à la session de codéveloppement « %(subject)s ».",
              subject=access.session.subject) if accept else \
        _l("Votre demande pour la session « %(subject)s » n'a pas été retenue.",
           subject=access.session.subject)
    notifications.do_notify(user_id, "event", actor, "codev_session", access.session.id,
                            url=path_for("codev.index"), text=str(text))
    return participant


def check_decline(actor: User, session_id: int) -> CodevParticipant:
    """A consultant gives up their seat before the start."""
    access = access_session(actor, session_id, lock=True)
    if not can(actor, "codev.session.decline", access):
        raise Invalid(_l("Vous ne pouvez plus vous retirer de cette session."))
    access.participant.state = "declined"
    db.session.flush()
    _sync_agenda(access.session)
    return access.participant


def pending_requests(session: CodevSession) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CodevParticipant, CodevParticipant.user_id == User.id)
        .where(CodevParticipant.session_id == session.id,
               CodevParticipant.state == "requested")
        .order_by(CodevParticipant.created_at, User.id)))


# Phases and the timer ----------------------------------------------------------------------------

def phase_dict(session: CodevSession, all_phases: list[Phase]) -> dict | None:
    if session.phase_index == 0 or session.phase_started_at is None:
        return None
    phase = all_phases[session.phase_index - 1]
    return {"index": session.phase_index, "code": phase.code, "label": phase.label,
            "started_at": session.phase_started_at.isoformat(),
            "ends_at": session.phase_ends_at.isoformat(),
            "planned_seconds": session.phase_planned_seconds,
            "extra_seconds": session.phase_extra_seconds}


def remaining_seconds(session: CodevSession, now: datetime | None = None) -> int | None:
    """Seconds left in the running phase by the server's clock (negative: overtime)."""
    ends_at = session.phase_ends_at
    if ends_at is None or session.status != "live":
        return None
    return int((ends_at - (now or clock.now())).total_seconds() // 1)


def _phase_payload(session: CodevSession, all_phases: list[Phase] | None = None) -> dict:
    all_phases = all_phases or phases()
    return {"type": "codev", "op": "phase", "session_id": session.id, "status": session.status,
            "phase": phase_dict(session, all_phases),
            "durations": dict(session.durations),
            "server_now": clock.now().isoformat(),
            "record_url": path_for("codev.record", session_id=session.id)
            if session.status == "ended" else None}


def _publish_phase(session: CodevSession) -> None:
    publish(room(session.id), "codev:phase", _phase_payload(session))


def _enter_phase(session: CodevSession, phase: Phase) -> None:
    session.phase_index = phase.index
    session.phase_code = phase.code
    session.phase_started_at = clock.now()
    session.phase_planned_seconds = int(session.durations.get(phase.code, phase.minutes)) * 60
    session.phase_extra_seconds = 0


def _lower_all_hands(session: CodevSession) -> None:
    for participant in db.session.scalars(select(CodevParticipant).where(
            CodevParticipant.session_id == session.id,
            CodevParticipant.hand_raised_at.is_not(None))):
        participant.hand_raised_at = None
    _publish_hands(session.id)


def check_start(actor: User, session_id: int) -> CodevSession:
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.phase.drive", access)
    session = access.session
    if session.status != "scheduled":
        raise Invalid(_l("La session a déjà commencé."))
    # Checked at scheduling, checked again here: consultants may have withdrawn since.
    remaining = _consultants_taking_part(session.id)
    if remaining < CONSULTANTS_MIN:
        raise Invalid(_l("Il faut au moins %(min)d consultant·es pour démarrer la session ; "
                         "il en reste %(n)d. Acceptez des demandes de participation avant de "
                         "démarrer.", min=CONSULTANTS_MIN, n=remaining))
    session.status = "live"
    session.started_at = clock.now()
    _enter_phase(session, phases()[0])
    _publish_phase(session)
    return session


def check_next(actor: User, session_id: int, expected_index: int | None = None) -> CodevSession:
    """Go to the next phase; after the sixth, the session ends and its record is written.

    `expected_index`: the phase the facilitator's screen showed; a double click (or two
    tabs) does not skip a phase.
    """
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.phase.drive", access)
    session = access.session
    if session.status != "live":
        raise Invalid(_l("La session n'est pas en cours."))
    if expected_index is not None and expected_index != session.phase_index:
        raise Invalid(_l("La phase a déjà changé."))
    all_phases = phases()
    if session.phase_index < len(all_phases):
        _enter_phase(session, all_phases[session.phase_index])
    else:
        session.status = "ended"
        session.ended_at = clock.now()
        session.phase_started_at = None
        do_generate_record(session)
    _lower_all_hands(session)
    publish(room(session.id), "codev:phase", _phase_payload(session, all_phases))
    return session


def check_extend(actor: User, session_id: int, minutes: object) -> CodevSession:
    if isinstance(minutes, bool) or not isinstance(minutes, int) \
            or not 1 <= minutes <= EXTEND_MINUTES_MAX:
        raise Invalid(_l("Prolongez de 1 à %(n)d minutes.", n=EXTEND_MINUTES_MAX))
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.phase.drive", access)
    session = access.session
    if session.status != "live":
        raise Invalid(_l("La session n'est pas en cours."))
    session.phase_extra_seconds += minutes * 60
    _publish_phase(session)
    return session


# Contributions -----------------------------------------------------------------------------------

def check_rate(actor: User) -> None:
    if not limiter.enabled:
        return
    items = parse_many(current_app.config["CODEV_RATE_LIMIT"])
    keys = ("codev", current_app.config.get("RATELIMIT_KEY_PREFIX", ""), str(actor.id))
    if not all(limiter.limiter.test(item, *keys) for item in items):
        raise RateLimited(_l("Vous écrivez beaucoup d'affilée : patientez un instant."))
    for item in items:
        limiter.limiter.hit(item, *keys)


def contribution_dict(item: CodevContribution) -> dict:
    return {"id": item.id, "session_id": item.session_id, "kind": item.kind,
            "author": {"id": item.author_id, "name": item.author.display_name},
            "body": item.body, "body_html": str(render_markdown(item.body)),
            "source_id": item.source_id, "created_at": item.created_at.isoformat(),
            "edited_at": item.edited_at.isoformat() if item.edited_at else None}


def _publish_contribution(item: CodevContribution, op: str) -> None:
    payload = {"type": "codev", "op": op, "session_id": item.session_id}
    if op == "delete":
        payload.update({"id": item.id, "kind": item.kind})
    else:
        payload["contribution"] = contribution_dict(item)
    publish(room(item.session_id), "codev:contribution", payload)


def check_post(actor: User, session_id: int, kind: object, body: object,
               source_id: object = None) -> CodevContribution:
    """Write a contribution of `kind` if the running phase and the member's role allow it.

    The reformulated request is one text: posting it again replaces it. An action item
    may come from a suggestion card (`source_id`): retaining a card twice keeps one item.
    """
    if kind not in KINDS:
        raise Invalid(_l("Type de contribution inconnu."), field="kind")
    access = access_session(actor, session_id)
    require(actor, f"codev.post.{kind}", access)
    if source_id is not None:
        if kind != "action":
            raise Invalid(field="source_id")
        return _retain(actor, access.session, source_id)
    text = _clean_text(body, field="body", limit=TEXT_MAX)
    check_rate(actor)
    if kind == "request":
        existing = db.session.scalar(_items().where(
            CodevContribution.session_id == access.session.id,
            CodevContribution.kind == "request", CodevContribution.deleted_at.is_(None)))
        if existing is not None:
            return _edit(existing, text)
    item = CodevContribution(session_id=access.session.id, author_id=actor.id, kind=kind,
                             body=text, created_at=clock.now())
    item.author = actor
    db.session.add(item)
    db.session.flush()
    _publish_contribution(item, "add")
    return item


def _items():
    return select(CodevContribution).options(
        joinedload(CodevContribution.author, innerjoin=True))


def _retain(actor: User, session: CodevSession, source_id: object) -> CodevContribution:
    card = db.session.get(CodevContribution, source_id) if valid_id(source_id) else None
    if card is None or card.session_id != session.id or card.kind != "suggestion" \
            or card.deleted_at is not None:
        raise NotFound()
    existing = db.session.scalar(_items().where(
        CodevContribution.session_id == session.id, CodevContribution.kind == "action",
        CodevContribution.source_id == card.id, CodevContribution.deleted_at.is_(None)))
    if existing is not None:
        return existing
    item = CodevContribution(session_id=session.id, author_id=actor.id, kind="action",
                             body=card.body, source_id=card.id, created_at=clock.now())
    item.author = actor
    db.session.add(item)
    db.session.flush()
    _publish_contribution(item, "add")
    return item


def _edit(item: CodevContribution, text: str) -> CodevContribution:
    if item.body != text:
        item.body = text
        item.edited_at = clock.now()
        db.session.flush()
        _publish_contribution(item, "edit")
    return item


def access_contribution(actor: User, contribution_id: object) -> tuple[SessionAccess,
                                                                       CodevContribution]:
    """A contribution its author may still change: theirs, in the phase it belongs to."""
    item = db.session.scalar(
        select(CodevContribution).where(CodevContribution.id == contribution_id)
        .options(joinedload(CodevContribution.author, innerjoin=True))) \
        if valid_id(contribution_id) else None
    if item is None or item.deleted_at is not None:
        raise NotFound()
    access = access_session(actor, item.session_id)
    require(actor, f"codev.post.{item.kind}", access)
    if item.author_id != actor.id:
        raise NotFound()
    return access, item


def check_edit(actor: User, contribution_id: object, body: object) -> CodevContribution:
    _access, item = access_contribution(actor, contribution_id)
    return _edit(item, _clean_text(body, field="body", limit=TEXT_MAX))


def check_delete(actor: User, contribution_id: object) -> CodevContribution:
    """Withdraw a contribution while its phase runs (kept, marked deleted)."""
    _access, item = access_contribution(actor, contribution_id)
    item.deleted_at = clock.now()
    db.session.flush()
    _publish_contribution(item, "delete")
    return item


def contributions(session: CodevSession) -> list[CodevContribution]:
    return list(db.session.scalars(
        select(CodevContribution).where(CodevContribution.session_id == session.id,
                                        CodevContribution.deleted_at.is_(None))
        .options(joinedload(CodevContribution.author, innerjoin=True))
        .order_by(CodevContribution.id)))


# Hands and presence -------------------------------------------------------------------------------

def _hands(session_id: int) -> list[int]:
    return list(db.session.scalars(
        select(CodevParticipant.user_id).where(CodevParticipant.session_id == session_id,
                                               CodevParticipant.hand_raised_at.is_not(None))
        .order_by(CodevParticipant.hand_raised_at, CodevParticipant.user_id)))


def _publish_hands(session_id: int) -> None:
    db.session.flush()
    publish(room(session_id), "codev:hands", {"type": "codev", "op": "hands",
                                              "session_id": session_id,
                                              "hands": _hands(session_id)})


def check_hand(actor: User, session_id: int, raised: object,
               user_id: object = None) -> list[int]:
    """Raise or lower one's hand; the facilitator may lower anyone's. Returns the hands up,
    in the order they were raised."""
    if not isinstance(raised, bool):
        raise Invalid(field="raised")
    access = access_session(actor, session_id)
    target = access.participant
    if user_id is not None and user_id != actor.id:
        require(actor, "codev.hand.lower_any", access)
        if raised:
            raise Invalid(_l("On ne lève pas la main à la place de quelqu'un."))
        target = db.session.get(CodevParticipant, (access.session.id, user_id)) \
            if valid_id(user_id) else None
        if target is None or not target.takes_part:
            raise NotFound()
    else:
        require(actor, "codev.hand.raise", access)
    if raised and target.hand_raised_at is None:
        target.hand_raised_at = clock.now()
    elif not raised:
        target.hand_raised_at = None
    _publish_hands(access.session.id)
    return _hands(access.session.id)


def present_ids(session_id: int) -> list[int]:
    return sorted(get_presence().present(session_id))


def announce_presence(session_id: int) -> None:
    """Presence is not stored: sent at once to the room."""
    emit_now(room(session_id), "codev:presence", {"type": "codev", "op": "presence",
                                                  "session_id": session_id,
                                                  "present": present_ids(session_id)})


# The state a screen needs ---------------------------------------------------------------------

def participants(session: CodevSession) -> list[tuple[CodevParticipant, User]]:
    order = {"facilitator": 0, "client": 1, "consultant": 2}
    rows = db.session.execute(
        select(CodevParticipant, User).join(User, User.id == CodevParticipant.user_id)
        .where(CodevParticipant.session_id == session.id,
               CodevParticipant.state.in_(TAKING_PART))).all()
    return sorted(((p, u) for p, u in rows),
                  key=lambda row: (order[row[0].role], row[1].display_name, row[1].id))


def state_dict(actor: User, access: SessionAccess) -> dict:
    """Everything a screen shows, as of now: what `codev:join` answers, so a late joiner
    or a reconnecting tab is up to date at once."""
    session = access.session
    all_phases = phases()
    people = participants(session)
    return {
        **_phase_payload(session, all_phases),
        "session": {"id": session.id, "subject": session.subject,
                    "scheduled_at": session.scheduled_at.isoformat(),
                    "visio_url": session.visio_url,
                    "confidentiality": session.confidentiality},
        "phases": [{"index": p.index, "code": p.code, "label": p.label,
                    "minutes": int(session.durations.get(p.code, p.minutes))}
                   for p in all_phases],
        "rules": {kind: {"phase": phase, "roles": list(roles)}
                  for kind, (phase, roles) in CODEV_POSTING.items()},
        "participants": [{"id": u.id, "name": u.display_name, "role": p.role}
                         for p, u in people],
        "present": present_ids(session.id),
        "hands": _hands(session.id),
        "contributions": [contribution_dict(c) for c in contributions(session)],
        "me": {"id": actor.id, "role": access.role},
    }


# Lists -----------------------------------------------------------------------------------------

@dataclass
class SessionLists:
    current: list[tuple[CodevSession, CodevParticipant]]
    past: list[tuple[CodevSession, CodevParticipant]]
    open: list[CodevSession]
    past_cursor: int | None


def session_lists(actor: User, before_id: int | None = None) -> SessionLists:
    """The member's sessions (coming and live, then a keyset page of past ones) and the
    open sessions they could ask to join. Three queries."""
    require(actor, "codev.use")
    mine = (select(CodevSession, CodevParticipant)
            .join(CodevParticipant, CodevParticipant.session_id == CodevSession.id)
            .where(CodevParticipant.user_id == actor.id,
                   CodevParticipant.state.in_((*TAKING_PART, "requested"))))
    current = db.session.execute(
        mine.where(CodevSession.status.in_(("scheduled", "live")))
        .order_by(CodevSession.scheduled_at, CodevSession.id)).all()
    past_stmt = mine.where(CodevSession.status.in_(("ended", "cancelled")))
    if before_id is not None:
        past_stmt = past_stmt.where(CodevSession.id < before_id)
    past = db.session.execute(past_stmt.order_by(CodevSession.id.desc())
                              .limit(PAGE_SIZE + 1)).all()
    open_sessions = list(db.session.scalars(
        select(CodevSession).where(
            CodevSession.status == "scheduled", CodevSession.open_to_requests.is_(True),
            CodevSession.scheduled_at > clock.now(),
            CodevSession.id.not_in(select(CodevParticipant.session_id).where(
                CodevParticipant.user_id == actor.id)))
        .order_by(CodevSession.scheduled_at, CodevSession.id).limit(PAGE_SIZE)))
    cursor = past[PAGE_SIZE - 1][0].id if len(past) > PAGE_SIZE else None
    return SessionLists([tuple(r) for r in current], [tuple(r) for r in past[:PAGE_SIZE]],
                        open_sessions, cursor)


# The record ------------------------------------------------------------------------------------

def do_generate_record(session: CodevSession) -> CodevRecord:
    """Write the compte rendu from what the group produced (run once, at the end)."""
    people = participants(session)
    items = contributions(session)
    row = db.session.get(CodevRecord, session.id)
    if row is None:
        row = CodevRecord(session_id=session.id)
        db.session.add(row)
    row.body = record.render(session, people, items, anonymised=False)
    row.anonymised_body = record.render(session, people, items, anonymised=True)
    row.generated_at = clock.now()
    db.session.flush()
    return row


def access_record(actor: User, session_id: int) -> tuple[SessionAccess, CodevRecord]:
    access = access_session(actor, session_id)
    require(actor, "codev.record.view", access, hide=True)
    row = db.session.get(CodevRecord, access.session.id)
    if row is None:
        raise NotFound()
    return access, row


# After the session: the library and project spaces -------------------------------------------

def check_publish_record(actor: User, session_id: int) -> CodevRecord:
    """The client shares the anonymised record with the network: it goes to the library
    as a submission, through the library's moderation like any other. It is filed as
    anonymous (the library names no submitter) under a title scrubbed of names, or the
    client of an "anonymised" record would be known to every reader."""
    access, row = access_record(actor, session_id)
    require(actor, "codev.record.publish", access)
    if row.published_at is not None:
        raise Invalid(_l("Ce compte rendu a déjà été proposé à la bibliothèque."))
    scrub = record.scrubber(participants(access.session))
    document = library.do_submit_generated(
        actor, f"compte-rendu-codeveloppement-{access.session.id}.md",
        row.anonymised_body.encode("utf-8"),
        library.DocumentData(
            title=str(_l("Codéveloppement : %(subject)s",
                         subject=scrub(access.session.subject))),
            summary=str(_l("Compte rendu anonymisé d'une session de codéveloppement : demande, "
                           "suggestions retenues, plan d'action et apprentissages.")),
            year=access.session.scheduled_at.year, document_type="compte-rendu"),
        anonymous=True)
    row.published_at = clock.now()
    row.published_ref = f"library:{document.id}"
    return row


def led_projects(actor: User) -> list:
    """Project spaces the member leads: where their action plan may become actions."""
    return [a.project for a in projects.my_accesses(actor, limit=50)
            if can(actor, "project.edit", a)]


def action_items(session: CodevSession) -> list[CodevContribution]:
    """The client's action plan as it stands (what the export form offers)."""
    return [c for c in contributions(session) if c.kind == "action"]


def check_export_actions(actor: User, session_id: int, project_id: int,
                         item_ids: list[int] | None = None) -> int:
    """Turn items of the client's action plan (`item_ids`; None: all of them) into actions
    of a project they lead (owner: them). Each item remembers its action, so exporting
    again creates nothing twice. Returns how many actions were created."""
    access, _row = access_record(actor, session_id)
    require(actor, "codev.action.export", access)
    project = projects.access_project(actor, project_id)
    if not can(actor, "project.edit", project):
        raise Invalid(_l("Choisissez un projet dont vous êtes responsable."), field="project_id")
    items = action_items(access.session)
    if item_ids is not None:
        wanted = set(item_ids)
        if not wanted:
            raise Invalid(_l("Cochez au moins une action du plan."), field="items")
        if not wanted <= {item.id for item in items}:
            raise NotFound()
        items = [item for item in items if item.id in wanted]
    created = 0
    for item in items:
        if item.exported_action_id is not None:
            continue
        action = projects.check_create_action(
            actor, project, title=" ".join(item.body.split())[:projects.ACTION_TITLE_MAX],
            owner_id=actor.id)
        item.exported_action_id = action.id
        created += 1
    db.session.flush()
    return created
