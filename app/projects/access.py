"""A project as one member sees it, for the permission rules (app/permissions.py).

Kept apart from the services so that the owner rule of walls, channels and shelves can load
it without importing the whole feature. Both lookups go through the session's identity map:
a page asking many times about the same project costs its queries once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from ..extensions import db
from .models import Meeting, Project, ProjectMember


@dataclass
class ProjectAccess:
    project: Project
    membership: ProjectMember | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_lead(self) -> bool:
        return self.membership is not None and self.membership.role == "lead"


@dataclass
class MeetingAccess:
    meeting: Meeting
    access: ProjectAccess


def load_access(user: Any, project_id: int) -> ProjectAccess | None:
    project = db.session.get(Project, project_id)
    if project is None:
        return None
    user_id = getattr(user, "id", None)
    membership = db.session.get(ProjectMember, (project_id, user_id)) if user_id else None
    return ProjectAccess(project, membership)


def unreadable_project_ids(user: Any) -> Select:
    """The projects `user` may not read, as a subquery for list filters (the feed, the
    moderation queue): the SQL form of the "read" rule in app/permissions.py, where an open
    project is read by everyone and a private one by its members only."""
    member_of = select(ProjectMember.project_id).where(
        ProjectMember.user_id == getattr(user, "id", None))
    return select(Project.id).where(Project.visibility == "private",
                                    Project.id.not_in(member_of))
