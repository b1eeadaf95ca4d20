"""Who may read what on the walls: loaders that authorise one object (404 where its existence
would leak a private space), and the same answer as SQL subqueries for lists filtered in the
database (the feed, the moderation queue).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

from ...accounts.models import User
from ...errors import NotFound
from ...extensions import db
from ...notifications import services as notifications
from ...permissions import can, require
from ..models import Attachment, Comment, Post, Wall


def access_wall(actor: User, wall_id: int) -> Wall:
    wall = db.session.get(Wall, wall_id)
    if wall is None or wall.archived_at is not None:
        raise NotFound()
    require(actor, "wall.view", wall, hide=True)
    return wall


def access_wall_by_slug(actor: User, slug: str) -> Wall:
    wall = db.session.scalar(select(Wall).where(Wall.slug == slug))
    if wall is None:
        raise NotFound()
    return access_wall(actor, wall.id)


def general_wall() -> Wall | None:
    return db.session.scalar(select(Wall).where(Wall.is_general.is_(True)))


def post_query() -> Select:
    """Posts with what every list of them shows (wall, author, tags, attachments)."""
    return select(Post).options(
        selectinload(Post.wall), selectinload(Post.author).selectinload(User.profile),
        selectinload(Post.tags), selectinload(Post.attachments))


def access_post(actor: User, post_id: int) -> Post:
    """A post its reader may see: published ones, their own pending or hidden ones, and
    everything for moderators; anything else is 404 (it does not exist for them)."""
    post = db.session.scalar(post_query().where(Post.id == post_id))
    if post is None:
        raise NotFound()
    require(actor, "wall.view", post.wall, hide=True)
    require(actor, "post.view", post, hide=True)
    return post


def access_comment(actor: User, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    post = access_post(actor, comment.post_id)
    own = comment.author_id == actor.id and comment.deleted_at is None
    if not (comment.is_visible or own or can(actor, "content.moderate")):
        raise NotFound()
    comment.post = post
    return comment


def access_attachment(actor: User, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound()
    access_post(actor, attachment.post_id)
    return attachment


# Walls owned by another feature follow its "read" rule (OWNER_RULES in app/permissions.py).
# Lists filtered in SQL (the feed, the moderation queue) need the same answer as a subquery:
# UNREADABLE_OWNERS[owner_type](user) -> a select of the owner ids `user` may not read.
# Owner features register theirs next to their rule.
UNREADABLE_OWNERS: dict[str, Callable[[User], Select]] = {}


def unreadable_walls(actor: User) -> Select:
    """The ids of the walls `actor` may not see, as one subquery for list filters."""
    owned = [(Wall.owner_type == owner_type) & Wall.owner_id.in_(owner_ids(actor))
             for owner_type, owner_ids in sorted(UNREADABLE_OWNERS.items())]
    return select(Wall.id).where(or_(*owned) if owned else false())


def unreadable_posts(actor: User) -> Select:
    return select(Post.id).where(Post.wall_id.in_(unreadable_walls(actor)))


def unreadable_comments(actor: User) -> Select:
    return select(Comment.id).join(Post, Comment.post_id == Post.id).where(
        Post.wall_id.in_(unreadable_walls(actor)))


def _closed_activities(actor: User):
    """Feed activities on walls the member may not see: posts (context: the wall) and
    comments (context: the post), whatever they still follow."""
    return or_(notifications.activity_in("wall", unreadable_walls(actor)),
               notifications.activity_in("post", unreadable_posts(actor)))


def _sees_post(user: User, post_id: int) -> bool:
    """Whether a notification about a post may still reach `user` (an unknown post is
    left to the caller)."""
    post = db.session.get(Post, post_id)
    return post is None or (can(user, "wall.view", db.session.get(Wall, post.wall_id))
                            and can(user, "post.view", post))


def _sees_comment(user: User, comment_id: int) -> bool:
    comment = db.session.get(Comment, comment_id)
    return comment is None or _sees_post(user, comment.post_id)


notifications.FEED_EXCLUSIONS.append(_closed_activities)
notifications.RECIPIENT_CHECKS.update({"post": _sees_post, "comment": _sees_comment})
