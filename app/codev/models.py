"""Co-development sessions: who takes part, the timed phases, what each one contributed.

The timer lives here as data, not in any process: the current phase's start instant, its
planned length and the minutes added by the facilitator. Every screen derives the
remaining time from these and the server's clock, so a reload or a late joiner agrees.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db

STATUSES = ("scheduled", "live", "ended", "cancelled")
ROLES = ("facilitator", "client", "consultant")
# invited / accepted: takes part; requested: asked to join, waits for the facilitator;
# declined: refused or withdrew (kept so that a refusal is not asked again and again).
PARTICIPANT_STATES = ("invited", "accepted", "requested", "declined")
TAKING_PART = ("invited", "accepted")
# "participants": what is said stays among participants, the client may publish an
# anonymised record; "strict": nothing leaves the group, not even anonymised.
CONFIDENTIALITY = ("participants", "strict")
KINDS = ("question", "request", "suggestion", "action", "lesson")


class CodevSession(db.Model):
    __tablename__ = "codev_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'live', 'ended', 'cancelled')", name="status"),
        CheckConstraint("confidentiality IN ('participants', 'strict')", name="confidentiality"),
        Index("ix_codev_sessions_scheduled", "scheduled_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visio_url: Mapped[str] = mapped_column(String(500), default="")
    confidentiality: Mapped[str] = mapped_column(String(20), default="participants")
    # Members who are not invited see the session's card and may ask to join.
    open_to_requests: Mapped[bool] = mapped_column(Boolean, default=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    # Minutes per phase code, copied from the taxonomy at scheduling, editable until start.
    durations: Mapped[dict] = mapped_column(JSON, default=dict)
    # 0 before the start; 1..6 during the session (the taxonomy's order) and its code.
    phase_index: Mapped[int] = mapped_column(Integer, default=0)
    phase_code: Mapped[str] = mapped_column(String(40), default="")
    phase_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phase_planned_seconds: Mapped[int] = mapped_column(Integer, default=0)
    phase_extra_seconds: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    facilitator: Mapped[User] = relationship(foreign_keys=[facilitator_id], lazy="raise")
    client: Mapped[User] = relationship(foreign_keys=[client_id], lazy="raise")

    @property
    def phase_ends_at(self) -> datetime | None:
        if self.phase_started_at is None:
            return None
        return self.phase_started_at + timedelta(
            seconds=self.phase_planned_seconds + self.phase_extra_seconds)


class CodevParticipant(db.Model):
    __tablename__ = "codev_participants"
    __table_args__ = (
        CheckConstraint("role IN ('facilitator', 'client', 'consultant')", name="role"),
        CheckConstraint("state IN ('invited', 'accepted', 'requested', 'declined')",
                        name="state"),
        Index("ix_codev_participants_user", "user_id"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("codev_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="invited")
    # Kept in the database so that a late joiner sees the hands already up.
    hand_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def takes_part(self) -> bool:
        return self.state in TAKING_PART


class CodevContribution(db.Model):
    """A question (phase 2), the reformulated request (3), a suggestion card (4), an item of
    the action plan (5, `source_id`: the card it was retained from) or a lesson (6)."""

    __tablename__ = "codev_contributions"
    __table_args__ = (
        CheckConstraint("kind IN ('question', 'request', 'suggestion', 'action', 'lesson')",
                        name="kind"),
        Index("ix_codev_contributions_session", "session_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("codev_sessions.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("codev_contributions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An action item the client turned into a project action: exporting again skips it
    # (the link lets go, and the item may be exported again, if that action is deleted).
    exported_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_actions.id", ondelete="SET NULL"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")


class CodevRecord(db.Model):
    """The compte rendu, written once when the session ends (a snapshot: later edits of
    anything do not change what the group agreed on)."""

    __tablename__ = "codev_records"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("codev_sessions.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")
    anonymised_body: Mapped[str] = mapped_column(Text, default="")
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_ref: Mapped[str | None] = mapped_column(String(100))
