"""What a member's raw text must satisfy before a wall, post, comment or moderation decision
is written.

Posts, comments and moderators' decisions share these limits and cleaners, so they live
apart from each: a `check_*` calls them, then hands the clean values to a `do_*`.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...uploads import DOCUMENT_TYPES, IMAGE_TYPES
from ..models import Comment, Post

TITLE_MAX = 200
POST_BODY_MAX = 20_000
COMMENT_BODY_MAX = 10_000
REASON_MAX = 1_000
WALL_NAME_MAX = 120
TAG_VOCABULARIES = ("domain", "region", "sdg")
ATTACHMENT_TYPES = {**IMAGE_TYPES, **DOCUMENT_TYPES}
MAX_ATTACHMENTS = 5
# A member counts as new (for pre-moderation) until this many posts were published.
NEW_MEMBER_POSTS = 3
DUPLICATE_WINDOW = timedelta(minutes=2)
EXCERPT = 240


def clean_body(body: str | None, limit: int) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_l("Le message est vide."), field="body")
    if len(text) > limit:
        raise Invalid(_l("Le message est trop long (%(n)d caractères au plus).", n=limit),
                      field="body")
    return text


def clean_title(title: str | None, required: bool) -> str:
    text = " ".join((title or "").split())
    if required and not text:
        raise Invalid(_l("Une question a besoin d'un titre."), field="title")
    if len(text) > TITLE_MAX:
        raise Invalid(_l("Le titre est trop long (%(n)d caractères au plus).", n=TITLE_MAX),
                      field="title")
    return text


def clean_reason(reason: str | None, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise Invalid(_l("Le motif est obligatoire."), field="reason")
    if len(text) > REASON_MAX:
        raise Invalid(_l("Le motif est trop long."), field="reason")
    return text


def refuse_duplicate(actor: User, body: str, wall_id: int | None = None,
                     post_id: int | None = None) -> None:
    """A double click or a resent form must not publish the same text twice."""
    since = utcnow() - DUPLICATE_WINDOW
    if post_id is None:
        stmt = select(Post.id).where(Post.author_id == actor.id, Post.wall_id == wall_id,
                                     Post.body == body, Post.created_at > since,
                                     Post.deleted_at.is_(None))
    else:
        stmt = select(Comment.id).where(Comment.author_id == actor.id,
                                        Comment.post_id == post_id, Comment.body == body,
                                        Comment.created_at > since,
                                        Comment.deleted_at.is_(None))
    if db.session.scalar(stmt.limit(1)) is not None:
        raise Invalid(_l("Vous venez de publier exactement ce message."), field="body")
