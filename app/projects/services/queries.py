"""What the project spaces tell the rest of the platform and the writes about themselves:
who is in a project, which projects a member may see, a meeting as a calendar file.

The hooks registered at the end let the feed, the notifications and the walls ask about
projects without importing this feature (it composes them, not the other way round)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, vText
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from ...accounts.models import User
from ...db import utcnow, valid_id
from ...errors import NotFound
from ...extensions import db
from ...notifications import services as notifications
from ...permissions import can
from ...sanitize import to_plain_text
from ...storage import get_storage
from ...text import fold
from ...walls import services as walls
from ..access import MeetingAccess, ProjectAccess, unreadable_project_ids
from ..models import ACTION_STATUSES, JoinRequest, Meeting, Project, ProjectAction, ProjectMember
from .common import PARIS


def member_ids(project_id: int) -> list[int]:
    return list(db.session.scalars(select(ProjectMember.user_id).where(
        ProjectMember.project_id == project_id).order_by(ProjectMember.user_id)))


def lead_ids(project_id: int) -> list[int]:
    return list(db.session.scalars(select(ProjectMember.user_id).where(
        ProjectMember.project_id == project_id, ProjectMember.role == "lead")
        .order_by(ProjectMember.user_id)))


def members(access: ProjectAccess) -> list[ProjectMember]:
    """Leads first, then by name; two queries."""
    return list(db.session.scalars(
        select(ProjectMember).join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == access.project.id)
        .options(selectinload(ProjectMember.user).selectinload(User.profile))
        .order_by(ProjectMember.role, User.display_name, User.id)))


def join_requests(actor: User, access: ProjectAccess) -> list[JoinRequest]:
    if not can(actor, "project.manage_members", access):
        return []
    return list(db.session.scalars(
        select(JoinRequest).where(JoinRequest.project_id == access.project.id)
        .options(selectinload(JoinRequest.user).selectinload(User.profile))
        .order_by(JoinRequest.id)))


def has_requested(actor: User, access: ProjectAccess) -> bool:
    return db.session.scalar(select(JoinRequest.id).where(
        JoinRequest.project_id == access.project.id,
        JoinRequest.user_id == actor.id)) is not None


def invitable_members(access: ProjectAccess) -> list[User]:
    """Active members of the network not yet in the project (~350: one select list)."""
    inside = select(ProjectMember.user_id).where(ProjectMember.project_id == access.project.id)
    return list(db.session.scalars(select(User).where(
        User.status == "active", User.id.not_in(inside)).order_by(User.display_name, User.id)))


def load_details(project: Project) -> Project:
    """Tags and partners for the overview (two queries)."""
    return db.session.scalars(select(Project).where(Project.id == project.id).options(
        selectinload(Project.tags), selectinload(Project.partners))).one()


def cover_path(access: ProjectAccess) -> str:
    """Where the project's cover is stored; NotFound when it has none (or lost it)."""
    key = access.project.cover_key
    storage = get_storage()
    if not key or not storage.exists(key):
        raise NotFound()
    return storage.path(key)


def visible_clause(actor: User) -> ColumnElement[bool]:
    """The projects `actor` may read, as a WHERE clause."""
    return Project.id.not_in(unreadable_project_ids(actor))


def my_projects(actor: User, limit: int = 8) -> list[Project]:
    """The home page's block: the actor's projects, most recently updated first; one query."""
    if not can(actor, "directory.view"):
        return []
    return list(db.session.scalars(
        select(Project).join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == actor.id)
        .order_by(Project.updated_at.desc(), Project.id.desc()).limit(limit)))


def my_accesses(actor: User, limit: int = 50) -> list[ProjectAccess]:
    """The actor's projects with their membership, for asking the policy about each (one
    query): which ones they lead, for instance."""
    rows = db.session.execute(
        select(Project, ProjectMember).join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == actor.id)
        .order_by(Project.updated_at.desc(), Project.id.desc()).limit(limit)).tuples()
    return [ProjectAccess(project, membership) for project, membership in rows]


def projects_of(actor: User, user_id: int, limit: int = 20) -> list[tuple[Project, str]]:
    """A member's projects as `actor` may see them (a profile page): one query."""
    return list(db.session.execute(
        select(Project, ProjectMember.role)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == user_id, visible_clause(actor))
        .order_by(Project.title).limit(limit)).tuples())


@dataclass
class ActionFilters:
    status: str = ""
    owner_id: int | None = None


def actions(access: ProjectAccess, filters: ActionFilters) -> list[ProjectAction]:
    """Open actions by due date (undated last), done ones after; one query."""
    stmt = (select(ProjectAction).where(ProjectAction.project_id == access.project.id)
            .options(selectinload(ProjectAction.owner)))
    if filters.status in ACTION_STATUSES:
        stmt = stmt.where(ProjectAction.status == filters.status)
    if valid_id(filters.owner_id):
        stmt = stmt.where(ProjectAction.owner_id == filters.owner_id)
    return list(db.session.scalars(stmt.order_by(
        (ProjectAction.status == "done"), ProjectAction.due_on.is_(None),
        ProjectAction.due_on, ProjectAction.id)))


def meeting_ics(target: MeetingAccess) -> bytes:
    """An iCalendar file (RFC 5545) with the Paris time zone, importable anywhere."""
    meeting, project = target.meeting, target.access.project
    calendar = Calendar()
    calendar.add("prodid", "-//Réseau des catalyseurs//Espace Projets//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at.astimezone(PARIS))
    event.add("dtend", (meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
              .astimezone(PARIS))
    event.add("summary", f"{meeting.title} · {project.title}")
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    description = to_plain_text(meeting.agenda)
    if meeting.visio_url:
        event.add("location", vText(meeting.visio_url))
        event.add("url", meeting.visio_url)
        description = f"{meeting.visio_url}\n\n{description}".strip()
    if description:
        event.add("description", description)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_filename(meeting: Meeting) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(meeting.title)).strip("-")[:60] or "reunion"
    return f"{slug}.ics"


def _context_name(project_id: int) -> str:
    project = db.session.get(Project, project_id)
    return project.title if project is not None else ""


def _closed_projects(user: User):
    """Feed activities of private projects the member is not (or no longer) in."""
    return notifications.activity_in("project", unreadable_project_ids(user))


notifications.CONTEXT_NAMES["project"] = _context_name
walls.UNREADABLE_OWNERS["project"] = unreadable_project_ids
notifications.FEED_EXCLUSIONS.append(_closed_projects)
