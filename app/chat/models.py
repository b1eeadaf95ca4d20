"""Chat: channels ("salons"), direct messages, their members and messages.

A message's id is its place in the conversation: ids increase within a channel in commit
order (sending locks the channel row first), so "everything after id X" never has a gap.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db

# public: any member may join; private: by invitation; direct: 1:1 and small groups, found
# again by their members (`direct_key`); owned: belongs to another feature (a project space)
# which manages its members through the chat services.
CHANNEL_KINDS = ("public", "private", "direct", "owned")
MEMBER_ROLES = ("member", "admin")
NOTIFY_LEVELS = ("all", "mentions", "none")


class Channel(db.Model):
    __tablename__ = "chat_channels"
    __table_args__ = (
        CheckConstraint("kind IN ('public', 'private', 'direct', 'owned')", name="kind"),
        UniqueConstraint("owner_type", "owner_id", name="uq_chat_channels_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80), default="")
    topic: Mapped[str] = mapped_column(String(250), default="")
    owner_type: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    # Direct messages: the sorted ids of their members ("3-12-40"), so that opening a
    # conversation with the same people finds the same channel.
    direct_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The newest message's id (0: none yet). No foreign key: messages reference channels.
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def is_direct(self) -> bool:
        return self.kind == "direct"


class ChannelMember(db.Model):
    __tablename__ = "chat_members"
    __table_args__ = (Index("ix_chat_members_user", "user_id"),)

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("chat_channels.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Everything up to this message id has been read; it never moves backwards.
    last_read_id: Mapped[int] = mapped_column(Integer, default=0)
    # Others' live messages after last_read_id, kept by the services as messages arrive,
    # are deleted and get read: badges never recount a member's backlog per message.
    unread: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_level: Mapped[str] = mapped_column(String(20), default="all")

    channel: Mapped[Channel] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class Message(db.Model):
    __tablename__ = "chat_messages"
    __table_args__ = (
        # A retried send (same client id from the same member) finds its message again.
        UniqueConstraint("author_id", "client_id", name="uq_chat_messages_author_client"),
        Index("ix_chat_messages_channel", "channel_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("chat_channels.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_reason: Mapped[str | None] = mapped_column(Text)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageRevision(db.Model):
    """A previous body of a message, kept at every edit."""

    __tablename__ = "chat_message_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("chat_messages.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
