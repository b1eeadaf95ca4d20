"""What the group writes during a session: questions, hypotheses, suggestions, the
reformulated request, the client's action plan and everyone's lessons.

Who may write what, when, is the permission policy's (`codev.post.<kind>` in
app/permissions.py: the running phase and the member's role). Each change is published to
the room after the caller's commit.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...db import valid_id
from ...errors import Invalid, NotFound, RateLimited
from ...extensions import db, limiter
from ...permissions import require
from ...realtime import publish
from .. import clock
from ..models import KINDS, CodevContribution, CodevSession
from .access import access_contribution, access_session, room
from .pages import contribution_dict
from .validation import TEXT_MAX, clean_text


def check_rate(actor: User) -> None:
    """Refuse a member who writes faster than CODEV_RATE_LIMIT (and count this write)."""
    if not limiter.enabled:
        return
    items = parse_many(current_app.config["CODEV_RATE_LIMIT"])
    keys = ("codev", current_app.config.get("RATELIMIT_KEY_PREFIX", ""), str(actor.id))
    if not all(limiter.limiter.test(item, *keys) for item in items):
        raise RateLimited(_l("Vous écrivez beaucoup d'affilée : patientez un instant."))
    for item in items:
        limiter.limiter.hit(item, *keys)


def _items():
    return select(CodevContribution).options(
        joinedload(CodevContribution.author, innerjoin=True))


def _publish_contribution(item: CodevContribution, op: str) -> None:
    payload = {"type": "codev", "op": op, "session_id": item.session_id}
    if op == "delete":
        payload.update({"id": item.id, "kind": item.kind})
    else:
        payload["contribution"] = contribution_dict(item)
    publish(room(item.session_id), "codev:contribution", payload)


def _suggestion(session: CodevSession, source_id: object) -> CodevContribution:
    """The session's suggestion card an action item is taken from."""
    card = db.session.get(CodevContribution, source_id) if valid_id(source_id) else None
    if card is None or card.session_id != session.id or card.kind != "suggestion" \
            or card.deleted_at is not None:
        raise NotFound()
    return card


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
        return do_retain(actor, _suggestion(access.session, source_id))
    text = clean_text(body, field="body", limit=TEXT_MAX)
    check_rate(actor)
    return do_post(actor, access.session, kind, text)


def do_post(actor: User, session: CodevSession, kind: str, text: str) -> CodevContribution:
    """Add a contribution; the session's one reformulated request is replaced instead."""
    if kind == "request":
        existing = db.session.scalar(_items().where(
            CodevContribution.session_id == session.id,
            CodevContribution.kind == "request", CodevContribution.deleted_at.is_(None)))
        if existing is not None:
            return do_edit(existing, text)
    item = CodevContribution(session_id=session.id, author_id=actor.id, kind=kind,
                             body=text, created_at=clock.now())
    item.author = actor
    db.session.add(item)
    db.session.flush()
    _publish_contribution(item, "add")
    return item


def do_retain(actor: User, card: CodevContribution) -> CodevContribution:
    """The suggestion card becomes an item of the action plan, once."""
    existing = db.session.scalar(_items().where(
        CodevContribution.session_id == card.session_id, CodevContribution.kind == "action",
        CodevContribution.source_id == card.id, CodevContribution.deleted_at.is_(None)))
    if existing is not None:
        return existing
    item = CodevContribution(session_id=card.session_id, author_id=actor.id, kind="action",
                             body=card.body, source_id=card.id, created_at=clock.now())
    item.author = actor
    db.session.add(item)
    db.session.flush()
    _publish_contribution(item, "add")
    return item


def check_edit(actor: User, contribution_id: object, body: object) -> CodevContribution:
    _access, item = access_contribution(actor, contribution_id)
    return do_edit(item, clean_text(body, field="body", limit=TEXT_MAX))


def do_edit(item: CodevContribution, text: str) -> CodevContribution:
    if item.body != text:
        item.body = text
        item.edited_at = clock.now()
        db.session.flush()
        _publish_contribution(item, "edit")
    return item


def check_delete(actor: User, contribution_id: object) -> CodevContribution:
    """Withdraw a contribution while its phase runs (kept, marked deleted)."""
    _access, item = access_contribution(actor, contribution_id)
    return do_delete(item)


def do_delete(item: CodevContribution) -> CodevContribution:
    item.deleted_at = clock.now()
    db.session.flush()
    _publish_contribution(item, "delete")
    return item
