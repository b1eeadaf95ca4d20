"""Reactions on posts and comments: one of a small fixed set per member and target, given or
taken back with the same gesture; the counts travel to everyone on the wall.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import User
from ...errors import Invalid, NotFound, PermissionDenied
from ...extensions import db
from ...notifications import services as notifications
from ...realtime import publish
from ..models import REACTIONS, Comment, Post, Reaction
from .access import access_comment, access_post
from .notices import kind_of, post_url, wall_room


def check_toggle_reaction(actor: User, target_type: str, target_id: int,
                          kind: str) -> dict[str, int]:
    """Add the reaction, or remove it if the member had already given it. Returns counts."""
    if kind not in REACTIONS:
        raise Invalid(_l("Réaction inconnue."), field="kind")
    if target_type == "post":
        target: Post | Comment = access_post(actor, target_id)
    elif target_type == "comment":
        target = access_comment(actor, target_id)
    else:
        raise NotFound()
    if not target.is_visible:
        raise PermissionDenied()
    return do_toggle_reaction(actor, target, kind)


def do_toggle_reaction(actor: User, target: Post | Comment, kind: str) -> dict[str, int]:
    """Only a reaction given (not one taken back) tells the author."""
    target_type = kind_of(target)
    post = target if isinstance(target, Post) else target.post
    existing = db.session.scalar(select(Reaction).where(
        Reaction.target_type == target_type, Reaction.target_id == target.id,
        Reaction.user_id == actor.id, Reaction.kind == kind))
    if existing is not None:
        db.session.delete(existing)
    else:
        db.session.add(Reaction(target_type=target_type, target_id=target.id,
                                user_id=actor.id, kind=kind))
        notifications.do_notify(
            target.author_id, "reaction", actor, target_type, target.id, url=post_url(post),
            text=str(_l("%(name)s a réagi à votre message", name=actor.display_name)))
    db.session.flush()
    counts = dict(db.session.execute(
        select(Reaction.kind, func.count()).where(
            Reaction.target_type == target_type, Reaction.target_id == target.id)
        .group_by(Reaction.kind)).all())
    publish(wall_room(post.wall_id), "wall:reaction",
            {"type": "reaction", "op": "update", "wall_id": post.wall_id,
             "target_type": target_type, "target_id": target.id, "counts": counts})
    return counts
