from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db
from ..taxonomy import TaxonomyTerm

POST_KINDS = ("discussion", "question", "announcement")
PREMODERATION = ("off", "new_members", "all")
REACTIONS = ("merci", "bravo", "idee", "soutien")
# Publication state of a post: waiting for a moderator, visible, or refused.
POST_STATES = ("pending", "published", "rejected")

post_terms = Table(
    "post_terms",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Wall(db.Model):
    """A stream of posts attached to a place: the network, a theme, or another feature's
    object (owner_type/owner_id, e.g. a project space) which then decides who may see it."""

    __tablename__ = "walls"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_general: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_type: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    premoderation: Mapped[str] = mapped_column(String(20), default="off")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_walls_owner", "owner_type", "owner_id"),)


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_wall_feed", "wall_id", "state", "id"),
        CheckConstraint("kind IN ('discussion', 'question', 'announcement')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wall_id: Mapped[int] = mapped_column(ForeignKey("walls.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="discussion")
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="published")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comments_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # No foreign key: posts and comments would reference each other in a cycle that
    # drop/create order cannot satisfy; comments are never hard-deleted, services keep it true.
    accepted_comment_id: Mapped[int | None] = mapped_column(Integer)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_reason: Mapped[str | None] = mapped_column(Text)

    wall: Mapped[Wall] = relationship(lazy="raise")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")
    tags: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=post_terms, lazy="raise", order_by=TaxonomyTerm.position)
    comments: Mapped[list[Comment]] = relationship(
        back_populates="post", lazy="raise", foreign_keys="Comment.post_id",
        order_by="Comment.id")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="post", lazy="raise", order_by="Attachment.id")

    @property
    def is_visible(self) -> bool:
        """Seen by every member who can see the wall (moderators see the rest too)."""
        return self.state == "published" and self.hidden_at is None and self.deleted_at is None


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_post", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_reason: Mapped[str | None] = mapped_column(Text)

    post: Mapped[Post] = relationship(back_populates="comments", lazy="raise",
                                      foreign_keys=[post_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and self.deleted_at is None


class Revision(db.Model):
    """A previous version of a post or comment, kept at every edit (moderators can read them)."""

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User | None] = relationship(lazy="raise")


class Reaction(db.Model):
    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id", "user_id", "kind",
                         name="uq_reactions_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    is_image: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship(back_populates="attachments", lazy="raise")
