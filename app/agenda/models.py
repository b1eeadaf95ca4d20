"""The network's agenda: events, who comes, and the private calendar feed tokens.

An event either belongs to the agenda itself (a webinar, the annual Rencontre...) or to
another feature (`source_type`, `source_id`: a co-development session, a project meeting),
which keeps it in step through the agenda services and says who is invited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
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

KINDS = ("webinaire", "animation", "rencontre", "codev", "projet", "autre")
# network: every member sees it; invited: only members with an attendance row (a
# co-development session's participants, a project's members).
VISIBILITIES = ("network", "invited")
# going: has a seat; waiting: on the waiting list (promoted in order when a seat frees);
# invited: asked by the owning feature, has not answered; declined: will not come.
RSVP_STATES = ("going", "waiting", "invited", "declined")
# What an organiser attaches after an event, each one a document of the library.
DOCUMENT_KINDS = ("slides", "minutes")


class AgendaEvent(db.Model):
    __tablename__ = "agenda_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('webinaire', 'animation', 'rencontre', 'codev', 'projet', 'autre')",
            name="kind"),
        CheckConstraint("visibility IN ('network', 'invited')", name="visibility"),
        UniqueConstraint("source_type", "source_id", name="uq_agenda_events_source"),
        Index("ix_agenda_events_starts", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    visio_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(20), default="network")
    source_type: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column(Integer)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replay_url: Mapped[str] = mapped_column(String(500), default="")
    # iCalendar SEQUENCE: calendar apps replace their copy when it grows.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organizer: Mapped[User | None] = relationship(lazy="raise")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class AgendaRsvp(db.Model):
    __tablename__ = "agenda_rsvps"
    __table_args__ = (
        CheckConstraint("state IN ('going', 'waiting', 'invited', 'declined')", name="state"),
        Index("ix_agenda_rsvps_user", "user_id", "event_id"),
        Index("ix_agenda_rsvps_queue", "event_id", "state", "updated_at"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    # When the state last changed: the waiting list is served in this order.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")


class AgendaFeedToken(db.Model):
    """A member's private calendar feed: only the token's SHA-256 is stored, so a database
    leak does not hand out everyone's agenda; revoking deletes the row."""

    __tablename__ = "agenda_feed_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgendaEventDocument(db.Model):
    """An event's slides or minutes: a link to a library document, which the library
    alone shows or hides (a submission waiting for moderation is seen by its submitter
    and the moderators only). No foreign key to the library's table: the agenda knows
    documents through the library's services, and the library never deletes one."""

    __tablename__ = "agenda_event_documents"
    __table_args__ = (
        CheckConstraint("kind IN ('slides', 'minutes')", name="kind"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_events.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
