"""Who sees which event: the loader every page, .ics file and write starts from.

Network events are everyone's; an event another feature owns (a co-development session, a
project meeting) exists only for its invitees and its organiser.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...accounts.models import User
from ...db import load_with_membership, valid_id
from ...errors import NotFound
from ...permissions import require
from ..models import AgendaEvent, AgendaRsvp


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
