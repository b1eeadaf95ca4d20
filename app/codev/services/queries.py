"""The plain reads the pages and the writes share: who takes part, what they wrote, whose
hand is up, who is in the room."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...extensions import db
from ...permissions import can
from ...projects import services as projects
from ..models import TAKING_PART, CodevContribution, CodevParticipant, CodevSession
from ..presence import get_presence

ROLE_ORDER = {"facilitator": 0, "client": 1, "consultant": 2}


def participant_ids(session_id: int) -> list[int]:
    return list(db.session.scalars(select(CodevParticipant.user_id).where(
        CodevParticipant.session_id == session_id,
        CodevParticipant.state.in_(TAKING_PART))))


def consultants_taking_part(session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CodevParticipant).where(
        CodevParticipant.session_id == session_id, CodevParticipant.role == "consultant",
        CodevParticipant.state.in_(TAKING_PART))) or 0


def participants(session: CodevSession) -> list[tuple[CodevParticipant, User]]:
    """Who takes part, facilitator first, then the client, then consultants by name."""
    rows = db.session.execute(
        select(CodevParticipant, User).join(User, User.id == CodevParticipant.user_id)
        .where(CodevParticipant.session_id == session.id,
               CodevParticipant.state.in_(TAKING_PART))).all()
    return sorted(((p, u) for p, u in rows),
                  key=lambda row: (ROLE_ORDER[row[0].role], row[1].display_name, row[1].id))


def pending_requests(session: CodevSession) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CodevParticipant, CodevParticipant.user_id == User.id)
        .where(CodevParticipant.session_id == session.id,
               CodevParticipant.state == "requested")
        .order_by(CodevParticipant.created_at, User.id)))


def contributions(session: CodevSession) -> list[CodevContribution]:
    return list(db.session.scalars(
        select(CodevContribution).where(CodevContribution.session_id == session.id,
                                        CodevContribution.deleted_at.is_(None))
        .options(joinedload(CodevContribution.author, innerjoin=True))
        .order_by(CodevContribution.id)))


def action_items(session: CodevSession) -> list[CodevContribution]:
    """The client's action plan as it stands (what the export form offers)."""
    return [c for c in contributions(session) if c.kind == "action"]


def led_projects(actor: User) -> list:
    """Project spaces the member leads: where their action plan may become actions."""
    return [a.project for a in projects.my_accesses(actor, limit=50)
            if can(actor, "project.edit", a)]


def raised_hands(session_id: int) -> list[int]:
    """The members whose hand is up, in the order they raised it."""
    return list(db.session.scalars(
        select(CodevParticipant.user_id).where(CodevParticipant.session_id == session_id,
                                               CodevParticipant.hand_raised_at.is_not(None))
        .order_by(CodevParticipant.hand_raised_at, CodevParticipant.user_id)))


def present_ids(session_id: int) -> list[int]:
    """Members with a socket in the room right now (live state, not stored)."""
    return sorted(get_presence().present(session_id))
