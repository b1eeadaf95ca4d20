"""What the screens show: the phases, the room's state (the same dict the page renders,
`codev:join` answers and a reconnecting tab catches up with), the lists and the record.

The timer is data on the session, read against `clock.now()`; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import taxonomy
from ...accounts.models import User
from ...extensions import db
from ...paths import path_for
from ...permissions import CODEV_POSTING, can, require
from ...sanitize import render_markdown
from .. import clock
from ..models import TAKING_PART, CodevContribution, CodevParticipant, CodevRecord, CodevSession
from .access import SessionAccess, access_record
from .queries import (
    action_items,
    contributions,
    led_projects,
    participants,
    pending_requests,
    present_ids,
    raised_hands,
)

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


# The timer -------------------------------------------------------------------------------------

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


def phase_state_dict(session: CodevSession, all_phases: list[Phase] | None = None) -> dict:
    """The session's status and running phase with the server's time: the `codev:phase`
    event, and the head of `state_dict`."""
    all_phases = all_phases or phases()
    return {"type": "codev", "op": "phase", "session_id": session.id, "status": session.status,
            "phase": phase_dict(session, all_phases),
            "durations": dict(session.durations),
            "server_now": clock.now().isoformat(),
            "record_url": path_for("codev.record", session_id=session.id)
            if session.status == "ended" else None}


def contribution_dict(item: CodevContribution) -> dict:
    return {"id": item.id, "session_id": item.session_id, "kind": item.kind,
            "author": {"id": item.author_id, "name": item.author.display_name},
            "body": item.body, "body_html": str(render_markdown(item.body)),
            "source_id": item.source_id, "created_at": item.created_at.isoformat(),
            "edited_at": item.edited_at.isoformat() if item.edited_at else None}


def state_dict(actor: User, access: SessionAccess) -> dict:
    """Everything a screen shows, as of now: what `codev:join` answers, so a late joiner
    or a reconnecting tab is up to date at once."""
    session = access.session
    all_phases = phases()
    people = participants(session)
    return {
        **phase_state_dict(session, all_phases),
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
        "hands": raised_hands(session.id),
        "contributions": [contribution_dict(c) for c in contributions(session)],
        "me": {"id": actor.id, "role": access.role},
    }


# The session's page ---------------------------------------------------------------------------

@dataclass
class RoomPage:
    """The room as one participant sees it. `requests`: the members asking for a seat
    (the facilitator's to answer); `durations`: the phase minutes the facilitator may still
    change (None once the session started, and for everyone else)."""

    access: SessionAccess
    state: dict
    phases: list[Phase]
    remaining: int | None
    requests: list[User]
    durations: dict[str, int] | None


def room_page(actor: User, access: SessionAccess) -> RoomPage | None:
    """The session's room; None for a member who may only see its card (not taking part)."""
    if not can(actor, "codev.session.view", access):
        return None
    session = access.session
    state = state_dict(actor, access)
    all_phases = phases()
    manage = can(actor, "codev.session.manage", access)
    durations = {p.code: session.durations.get(p.code, p.minutes) for p in all_phases} \
        if manage and session.status == "scheduled" else None
    return RoomPage(access, state, all_phases, remaining_seconds(session),
                    pending_requests(session) if manage else [], durations)


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

@dataclass
class RecordPage:
    """The compte rendu; for the client, the projects they lead and the action plan they
    may export there (both empty for everyone else)."""

    access: SessionAccess
    record: CodevRecord
    led_projects: list
    action_items: list[CodevContribution]


def record_page(actor: User, session_id: int) -> RecordPage:
    access, row = access_record(actor, session_id)
    led = led_projects(actor) if can(actor, "codev.action.export", access) else []
    return RecordPage(access, row, led, action_items(access.session) if led else [])


def record_file(actor: User, session_id: int, *, anonymised: bool) -> tuple[str, str]:
    """The compte rendu to download, as (file name, Markdown text)."""
    access, row = access_record(actor, session_id)
    body = row.anonymised_body if anonymised else row.body
    name = f"compte-rendu-codev-{access.session.id}{'-anonyme' if anonymised else ''}.md"
    return name, body
