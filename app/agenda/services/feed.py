"""The private calendar feed's address: a token shown once, stored as its hash, replaced or
revoked by its member."""

from __future__ import annotations

from ...accounts.models import User
from ...accounts.services import new_token
from ...db import utcnow
from ...extensions import db
from ...permissions import require
from ..models import AgendaFeedToken


def check_new_feed_token(actor: User) -> str:
    """A new feed address for the member (the previous one stops working). The token is
    returned once, to be shown; only its hash is stored."""
    require(actor, "agenda.feed.manage")
    return do_new_feed_token(actor)


def do_new_feed_token(actor: User) -> str:
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
