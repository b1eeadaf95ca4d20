"""Lists and small answers about the walls that are not a page: the walls a member may open,
what they follow or reacted with, an item's history, and the moderators' queue — each
already filtered by what the reader may see.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...accounts.models import User
from ...extensions import db
from ...notifications import services as notifications
from ...permissions import can, require
from ..models import Comment, Post, Reaction, Revision, Wall
from .access import post_query, unreadable_comments, unreadable_posts, unreadable_walls


def walls_for(actor: User) -> list[Wall]:
    """The network's walls (those owned by another feature are listed there)."""
    walls = db.session.scalars(
        select(Wall).where(Wall.owner_type.is_(None), Wall.archived_at.is_(None))
        .order_by(Wall.is_general.desc(), Wall.position, Wall.name))
    return [w for w in walls if can(actor, "wall.view", w)]


def followed_wall_ids(actor: User) -> set[int]:
    return notifications.followed_ids(actor, "wall")


def is_following(actor: User, target_type: str, target_id: int) -> bool:
    return notifications.is_following(actor, target_type, target_id)


def my_reactions(actor: User, target_type: str, target_id: int) -> set[str]:
    return set(db.session.scalars(select(Reaction.kind).where(
        Reaction.target_type == target_type, Reaction.target_id == target_id,
        Reaction.user_id == actor.id)))


def revisions(actor: User, target_type: str, target_id: int) -> list[Revision]:
    require(actor, "revisions.view")
    return list(db.session.scalars(
        select(Revision).where(Revision.target_type == target_type,
                               Revision.target_id == target_id)
        .options(selectinload(Revision.editor)).order_by(Revision.id.desc())))


def pending_posts(actor: User, limit: int = 50) -> list[Post]:
    """Posts awaiting approval on the walls `actor` may see (a private project's stay
    with it)."""
    require(actor, "content.moderate")
    return list(db.session.scalars(
        post_query().where(Post.state == "pending", Post.deleted_at.is_(None),
                           Post.wall_id.not_in(unreadable_walls(actor)))
        .order_by(Post.id).limit(limit)))


def load_targets(actor: User, refs: list[tuple[str, int]]) -> dict[tuple[str, int], object]:
    """Posts and comments for the moderation queue and log, in two queries; those on walls
    `actor` may not see (a private project's) are left out."""
    require(actor, "content.moderate")
    post_ids = [i for t, i in refs if t == "post"]
    comment_ids = [i for t, i in refs if t == "comment"]
    found: dict[tuple[str, int], object] = {}
    if post_ids:
        for post in db.session.scalars(post_query().where(
                Post.id.in_(post_ids), Post.id.not_in(unreadable_posts(actor)))):
            found[("post", post.id)] = post
    if comment_ids:
        for comment in db.session.scalars(
                select(Comment).where(Comment.id.in_(comment_ids),
                                      Comment.id.not_in(unreadable_comments(actor))).options(
                    selectinload(Comment.author),
                    selectinload(Comment.post).selectinload(Post.wall))):
            found[("comment", comment.id)] = comment
    return found
