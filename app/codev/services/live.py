"""The running session: its start, the phases and the timer the facilitator drives, raised
hands and who is in the room.

Who may do what, when, is the permission policy's (`codev.phase.drive`, `codev.hand.*`);
the events go to the room `codev:<id>` after the caller's commit, except presence, which is
not stored and leaves at once.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import User
from ...db import valid_id
from ...errors import Invalid, NotFound
from ...extensions import db
from ...permissions import require
from ...realtime import emit_now, publish
from .. import clock
from ..models import CodevParticipant, CodevSession
from .access import access_session, room
from .follow_up import do_generate_record
from .pages import Phase, phase_state_dict, phases
from .queries import consultants_taking_part, present_ids, raised_hands
from .validation import CONSULTANTS_MIN, EXTEND_MINUTES_MAX


def do_publish_phase(session: CodevSession, all_phases: list[Phase] | None = None) -> None:
    publish(room(session.id), "codev:phase", phase_state_dict(session, all_phases))


def do_publish_hands(session_id: int) -> None:
    db.session.flush()
    publish(room(session_id), "codev:hands", {"type": "codev", "op": "hands",
                                              "session_id": session_id,
                                              "hands": raised_hands(session_id)})


def do_announce_presence(session_id: int) -> None:
    """Presence is not stored: sent at once to the room."""
    emit_now(room(session_id), "codev:presence", {"type": "codev", "op": "presence",
                                                  "session_id": session_id,
                                                  "present": present_ids(session_id)})


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
    do_publish_hands(session.id)


# The phases ------------------------------------------------------------------------------------

def check_start(actor: User, session_id: int) -> CodevSession:
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.phase.drive", access)
    session = access.session
    if session.status != "scheduled":
        raise Invalid(_l("La session a déjà commencé."))
    # Checked at scheduling, checked again here: consultants may have withdrawn since.
    remaining = consultants_taking_part(session.id)
    if remaining < CONSULTANTS_MIN:
        raise Invalid(_l("Il faut au moins %(min)d consultant·es pour démarrer la session ; "
                         "il en reste %(n)d. Acceptez des demandes de participation avant de "
                         "démarrer.", min=CONSULTANTS_MIN, n=remaining))
    return do_start(session)


def do_start(session: CodevSession) -> CodevSession:
    """The session goes live in its first phase."""
    session.status = "live"
    session.started_at = clock.now()
    _enter_phase(session, phases()[0])
    do_publish_phase(session)
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
    return do_next(session)


def do_next(session: CodevSession) -> CodevSession:
    """The live session moves on one phase, or ends after the last one; hands go down."""
    all_phases = phases()
    if session.phase_index < len(all_phases):
        _enter_phase(session, all_phases[session.phase_index])
    else:
        session.status = "ended"
        session.ended_at = clock.now()
        session.phase_started_at = None
        do_generate_record(session)
    _lower_all_hands(session)
    do_publish_phase(session, all_phases)
    return session


def check_extend(actor: User, session_id: int, minutes: object) -> CodevSession:
    if isinstance(minutes, bool) or not isinstance(minutes, int) \
            or not 1 <= minutes <= EXTEND_MINUTES_MAX:
        raise Invalid(_l("Prolongez de 1 à %(n)d minutes.", n=EXTEND_MINUTES_MAX))
    access = access_session(actor, session_id, lock=True)
    require(actor, "codev.phase.drive", access)
    if access.session.status != "live":
        raise Invalid(_l("La session n'est pas en cours."))
    return do_extend(access.session, minutes)


def do_extend(session: CodevSession, minutes: int) -> CodevSession:
    session.phase_extra_seconds += minutes * 60
    do_publish_phase(session)
    return session


# Hands -----------------------------------------------------------------------------------------

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
    return do_hand(target, raised)


def do_hand(participant: CodevParticipant, raised: bool) -> list[int]:
    """A hand goes up (keeping its place in line if it already was) or down."""
    if raised and participant.hand_raised_at is None:
        participant.hand_raised_at = clock.now()
    elif not raised:
        participant.hand_raised_at = None
    do_publish_hands(participant.session_id)
    return raised_hands(participant.session_id)
