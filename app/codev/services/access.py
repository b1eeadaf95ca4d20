"""Who sees which session: the loaders every page, socket handler and write starts from.

A session exists only for the members taking part in it (and, as a card, for members who
may still ask to join); anyone else gets NotFound, so a private session never leaks.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...db import load_with_membership, valid_id
from ...errors import Invalid, NotFound
from ...extensions import db
from ...permissions import can, require
from ..models import CodevContribution, CodevParticipant, CodevRecord, CodevSession


@dataclass
class SessionAccess:
    """A session as one member sees it: the session and their participation (None when
    they were never invited nor asked). Permission rules read both."""

    session: CodevSession
    participant: CodevParticipant | None

    @property
    def role(self) -> str | None:
        return self.participant.role if self.participant is not None else None


def room(session_id: int) -> str:
    """The Socket.IO room of a session's participants."""
    return f"codev:{session_id}"


def load_access(actor: User, session_id: int, *, lock: bool = False) -> SessionAccess:
    """The session with the actor's seat, authorised for no more than using co-development:
    the caller asks the policy for what it is about to show or do."""
    if not valid_id(session_id) or not can(actor, "codev.use"):
        raise NotFound()
    row = load_with_membership(CodevSession, session_id, CodevParticipant.session_id, actor.id,
                               lock=lock)
    if row is None:
        raise NotFound()
    return SessionAccess(*row)


def access_session(actor: User, session_id: int, *, lock: bool = False) -> SessionAccess:
    """The session if `actor` takes part; for anyone else it does not exist (NotFound)."""
    access = load_access(actor, session_id, lock=lock)
    require(actor, "codev.session.view", access, hide=True)
    return access


def access_card(actor: User, session_id: int) -> SessionAccess:
    """The session's public card: participants, and members who may ask to join an open
    session that has not started."""
    access = load_access(actor, session_id)
    require(actor, "codev.session.card", access, hide=True)
    return access


def access_durations(actor: User, session_id: int, *, lock: bool = False) -> SessionAccess:
    """The session whose phase durations the facilitator sets: only before it starts."""
    access = access_session(actor, session_id, lock=lock)
    require(actor, "codev.session.manage", access)
    if access.session.status != "scheduled":
        raise Invalid(_l("Les durées se règlent avant le début de la session."))
    return access


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


def access_record(actor: User, session_id: int) -> tuple[SessionAccess, CodevRecord]:
    """The compte rendu of an ended session, for its participants."""
    access = access_session(actor, session_id)
    require(actor, "codev.record.view", access, hide=True)
    row = db.session.get(CodevRecord, access.session.id)
    if row is None:
        raise NotFound()
    return access, row
