"""A session before it starts: scheduled by its facilitator with a client and 3 to 7
consultants, joined on request, declined, re-timed or cancelled.

Its entry in the participants' agenda follows each of these changes (the agenda's owned
events), and the members concerned are notified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import User
from ...agenda import services as agenda
from ...db import valid_id
from ...errors import Invalid, NotFound
from ...extensions import db
from ...notifications import services as notifications
from ...paths import path_for
from ...permissions import can, require
from .. import clock
from ..models import CONFIDENTIALITY, CodevParticipant, CodevSession
from .access import access_durations, access_session, load_access
from .live import do_publish_phase
from .pages import phases
from .queries import consultants_taking_part, participant_ids
from .validation import (
    CONSULTANTS_MAX,
    CONSULTANTS_MIN,
    SUBJECT_MAX,
    clean_durations,
    clean_text,
)

SESSION_LENGTH_SLACK = timedelta(minutes=15)


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


def _active_members(ids: list[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(ids), User.status == "active"))}


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
    agenda.do_set_invitees(event, participant_ids(session.id))


# Scheduling ------------------------------------------------------------------------------------

def check_schedule(actor: User, data: SessionData) -> CodevSession:
    """Schedule a session led by `actor`: the client and 3 to 7 consultants are invited,
    and it appears in their agenda."""
    require(actor, "codev.session.schedule")
    subject = clean_text(data.subject, field="subject", limit=SUBJECT_MAX, one_line=True)
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
    return do_schedule(actor, SessionData(
        subject=subject, scheduled_at=scheduled_at, visio_url=visio_url,
        client_id=data.client_id, consultant_ids=consultant_ids,
        confidentiality=data.confidentiality, open_to_requests=bool(data.open_to_requests),
        durations=clean_durations(data.durations, phases())))


def do_schedule(actor: User, data: SessionData) -> CodevSession:
    """Create the session (valid `data`), invite its people, put it in their agenda and
    notify the invitees."""
    session = CodevSession(
        subject=data.subject, scheduled_at=data.scheduled_at, visio_url=data.visio_url,
        confidentiality=data.confidentiality, open_to_requests=data.open_to_requests,
        facilitator_id=actor.id, client_id=data.client_id, status="scheduled",
        durations=data.durations, phase_index=0, phase_code="", phase_planned_seconds=0,
        phase_extra_seconds=0, created_at=clock.now())
    db.session.add(session)
    db.session.flush()
    now = clock.now()
    db.session.add(CodevParticipant(session_id=session.id, user_id=actor.id,
                                    role="facilitator", state="accepted", created_at=now))
    db.session.add(CodevParticipant(session_id=session.id, user_id=data.client_id,
                                    role="client", state="invited", created_at=now))
    for uid in data.consultant_ids:
        db.session.add(CodevParticipant(session_id=session.id, user_id=uid, role="consultant",
                                        state="invited", created_at=now))
    db.session.flush()
    _sync_agenda(session)
    url = path_for("codev.session", session_id=session.id)
    notifications.do_notify_many(
        [data.client_id, *data.consultant_ids], "event", actor, "codev_session", session.id,
        url=url,
        text=str(_l("%(name)s vous invite à une session de codéveloppement « %(subject)s ».",
                    name=actor.display_name, subject=data.subject)))
    return session


def check_set_durations(actor: User, session_id: int, raw: dict[str, object]) -> CodevSession:
    access = access_durations(actor, session_id, lock=True)
    return do_set_durations(access.session, clean_durations(raw, phases()))


def do_set_durations(session: CodevSession, durations: dict[str, int]) -> CodevSession:
    session.durations = durations
    _sync_agenda(session)
    do_publish_phase(session)
    return session


def check_cancel(actor: User, session_id: int) -> CodevSession:
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.session.manage", access)
    if access.session.status != "scheduled":
        raise Invalid(_l("Seule une session qui n'a pas commencé peut être annulée."))
    return do_cancel(actor, access.session)


def do_cancel(actor: User, session: CodevSession) -> CodevSession:
    """The session is called off: out of the agenda, its participants told."""
    ids = participant_ids(session.id)
    session.status = "cancelled"
    _sync_agenda(session)
    notifications.do_notify_many(
        ids, "event", actor, "codev_session", session.id, url=path_for("codev.index"),
        text=str(_l("La session de codéveloppement « %(subject)s » est annulée.",
                    subject=session.subject)))
    do_publish_phase(session)
    return session


# Joining ---------------------------------------------------------------------------------------

def check_request_join(actor: User, session_id: int) -> CodevParticipant:
    """Ask the facilitator for a consultant's seat (asking twice asks once)."""
    access = load_access(actor, session_id, lock=True)
    if access.participant is not None and access.participant.state == "requested":
        return access.participant
    require(actor, "codev.session.request", access, hide=True)
    return do_request_join(actor, access.session)


def do_request_join(actor: User, session: CodevSession) -> CodevParticipant:
    participant = CodevParticipant(session_id=session.id, user_id=actor.id,
                                   role="consultant", state="requested", created_at=clock.now())
    db.session.add(participant)
    db.session.flush()
    notifications.do_notify(
        session.facilitator_id, "event", actor, "codev_session", session.id,
        url=path_for("codev.session", session_id=session.id),
        text=str(_l("%(name)s demande à rejoindre la session « %(subject)s ».",
                    name=actor.display_name, subject=session.subject)))
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
        if consultants_taking_part(access.session.id) >= CONSULTANTS_MAX:
            raise Invalid(_l("La session compte déjà %(n)d consultant·es.", n=CONSULTANTS_MAX))
    return do_answer_request(actor, access.session, participant, accept)


def do_answer_request(actor: User, session: CodevSession, participant: CodevParticipant,
                      accept: bool) -> CodevParticipant:
    """The facilitator's answer to a request for a seat; the member is told either way."""
    participant.state = "accepted" if accept else "declined"
    db.session.flush()
    _sync_agenda(session)
    text = _l("Vous participez à la session de codéveloppement « %(subject)s ».",
              subject=session.subject) if accept else \
        _l("Votre demande pour la session « %(subject)s » n'a pas été retenue.",
           subject=session.subject)
    notifications.do_notify(participant.user_id, "event", actor, "codev_session", session.id,
                            url=path_for("codev.index"), text=str(text))
    return participant


def check_decline(actor: User, session_id: int) -> CodevParticipant:
    """A consultant gives up their seat before the start."""
    access = access_session(actor, session_id, lock=True)
    if not can(actor, "codev.session.decline", access):
        raise Invalid(_l("Vous ne pouvez plus vous retirer de cette session."))
    return do_decline(access.session, access.participant)


def do_decline(session: CodevSession, participant: CodevParticipant) -> CodevParticipant:
    participant.state = "declined"
    db.session.flush()
    _sync_agenda(session)
    return participant
