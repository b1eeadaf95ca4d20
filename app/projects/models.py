"""Tables of the projects feature: projects, their members and join requests, partners,
actions, meetings and answers to meetings.

The wall, the chat channel and the document shelf of a project live in their own features
(owner_type "project", owner_id = project id); only their ids are kept here, for links.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
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

STATUSES = ("idea", "active", "paused", "done")
VISIBILITIES = ("open", "private")
ROLES = ("lead", "member")
ACTION_STATUSES = ("todo", "doing", "done")
RSVP_ANSWERS = ("yes", "maybe", "no")

project_terms = Table(
    "project_terms",
    db.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("status IN ('idea', 'active', 'paused', 'done')", name="status"),
        CheckConstraint("visibility IN ('open', 'private')", name="visibility"),
        Index("ix_projects_listing", "visibility", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    pitch: Mapped[str] = mapped_column(String(240), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="idea")
    visibility: Mapped[str] = mapped_column(String(20), default="open")
    # The commune or area in words ("Pays de Brocéliande"); the region is a taxonomy term.
    territory: Mapped[str] = mapped_column(String(160), default="")
    cover_key: Mapped[str | None] = mapped_column(String(200))
    # Folded title, pitch, territory and partners: accent-insensitive search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    wall_id: Mapped[int | None] = mapped_column(Integer)
    channel_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tags: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=project_terms, lazy="raise", order_by=TaxonomyTerm.position)
    partners: Mapped[list[ProjectPartner]] = relationship(
        lazy="raise", order_by="ProjectPartner.position", cascade="all, delete-orphan")

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"

    def terms(self, vocabulary: str) -> list[TaxonomyTerm]:
        return [t for t in self.tags if t.vocabulary == vocabulary]


class ProjectPartner(db.Model):
    """An organisation working on the project (not necessarily a member of the network)."""

    __tablename__ = "project_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(String(160))
    # An actor profile code of the taxonomy (collectivités, entreprises, associations...).
    kind: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class ProjectMember(db.Model):
    __tablename__ = "project_members"
    __table_args__ = (
        CheckConstraint("role IN ('lead', 'member')", name="role"),
        Index("ix_project_members_user", "user_id", "project_id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


class JoinRequest(db.Model):
    """A member asks to join an open project; a lead accepts or declines (the row goes)."""

    __tablename__ = "project_join_requests"
    __table_args__ = (UniqueConstraint("project_id", "user_id",
                                       name="uq_project_join_requests_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class ProjectAction(db.Model):
    __tablename__ = "project_actions"
    __table_args__ = (
        CheckConstraint("status IN ('todo', 'doing', 'done')", name="status"),
        Index("ix_project_actions_project", "project_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="todo")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="raise")


class Meeting(db.Model):
    __tablename__ = "project_meetings"
    __table_args__ = (Index("ix_project_meetings_project", "project_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    visio_url: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    agenda_html: Mapped[str] = mapped_column(Text, default="")
    # The minutes: a document of the project's shelf in the library (no foreign key: the
    # library owns its table).
    minutes_document_id: Mapped[int | None] = mapped_column(Integer)
    # Bumped at each change so calendar applications replace their copy (.ics SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # A cancelled meeting is kept (not deleted): calendars and the agenda learn of it.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class MeetingAnswer(db.Model):
    """A member's RSVP to a meeting."""

    __tablename__ = "project_meeting_answers"
    __table_args__ = (CheckConstraint("answer IN ('yes', 'maybe', 'no')", name="answer"),)

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("project_meetings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    answer: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
