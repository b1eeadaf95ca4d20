"""What each page of a project space shows to the member looking at it, decided here so
that views only parse and render: which projects, meetings, actions and documents, and what
this member may do with each. Every builder costs a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from ... import taxonomy
from ...accounts.models import User
from ...db import utcnow, valid_id
from ...extensions import db
from ...library import services as library
from ...permissions import can, require
from ...text import fold
from ..access import MeetingAccess, ProjectAccess
from ..models import (
    RSVP_ANSWERS,
    STATUSES,
    JoinRequest,
    Meeting,
    MeetingAnswer,
    Project,
    ProjectAction,
    ProjectMember,
)
from .common import DURATION_MAX, OVERVIEW_ACTIONS, OVERVIEW_MEETINGS, PAGE_SIZE, PARIS, PAST_PAGE
from .queries import (
    has_requested,
    invitable_members,
    join_requests,
    load_details,
    members,
    visible_clause,
)

# The directory ----------------------------------------------------------------------------


@dataclass
class DirectoryFilters:
    q: str = ""
    status: str = ""
    region: str = ""
    domain: str = ""
    sdg: str = ""
    actor_profile: str = ""
    mine: bool = False


@dataclass
class ProjectCard:
    project: Project
    member_count: int
    role: str | None
    leads: list[str]


@dataclass
class DirectoryPage:
    cards: list[ProjectCard]
    next_cursor: int | None


def _cards(actor: User, projects: list[Project]) -> list[ProjectCard]:
    """Member counts, the actor's role and the leads' names: two queries for any page."""
    ids = [p.id for p in projects]
    if not ids:
        return []
    counts: Counter[int] = Counter()
    roles: dict[int, str] = {}
    leads: dict[int, list[str]] = {i: [] for i in ids}
    for project_id, user_id, role, name in db.session.execute(
            select(ProjectMember.project_id, ProjectMember.user_id, ProjectMember.role,
                   User.display_name)
            .join(User, User.id == ProjectMember.user_id)
            .where(ProjectMember.project_id.in_(ids))
            .order_by(User.display_name)):
        counts[project_id] += 1
        if user_id == actor.id:
            roles[project_id] = role
        if role == "lead":
            leads[project_id].append(name)
    return [ProjectCard(p, counts[p.id], roles.get(p.id), leads[p.id]) for p in projects]


def directory(actor: User, filters: DirectoryFilters, before_id: int | None = None,
              limit: int = PAGE_SIZE) -> DirectoryPage:
    """Projects the actor may see, newest first, by keyset on id; three queries a page."""
    require(actor, "directory.view")
    stmt = select(Project).where(visible_clause(actor)).options(
        selectinload(Project.tags))
    if filters.mine:
        stmt = stmt.where(Project.id.in_(select(ProjectMember.project_id).where(
            ProjectMember.user_id == actor.id)))
    if filters.status in STATUSES:
        stmt = stmt.where(Project.status == filters.status)
    for vocabulary in ("region", "domain", "sdg", "actor_profile"):
        code = getattr(filters, vocabulary)
        if code:
            stmt = stmt.where(Project.tags.any(and_(
                taxonomy.TaxonomyTerm.vocabulary == vocabulary,
                taxonomy.TaxonomyTerm.code == code)))
    for word in fold(filters.q).split()[:8]:
        stmt = stmt.where(Project.search_text.contains(word, autoescape=True))
    if valid_id(before_id):
        stmt = stmt.where(Project.id < before_id)
    projects = list(db.session.scalars(stmt.order_by(Project.id.desc()).limit(limit + 1)))
    next_cursor = projects[limit - 1].id if len(projects) > limit else None
    return DirectoryPage(_cards(actor, projects[:limit]), next_cursor)


# The overview and the members tab -----------------------------------------------------------

@dataclass
class OverviewPage:
    project: Project  # with its tags and partners
    members: list[ProjectMember]
    upcoming: list[Meeting]  # the next few, cancelled ones left out
    open_actions: list[ProjectAction]  # the first few not done
    requested: bool  # the actor's request to join is waiting
    partner_kinds: dict[str, str]


def _upcoming_meetings(project_id: int, limit: int) -> list[Meeting]:
    """Meetings not cancelled and not over, soonest first. Portable SQL cannot add a
    column's minutes to a date, so it keeps the meetings that may still be running (none
    lasts more than DURATION_MAX) and the exact end is checked on the rows it returns."""
    now = utcnow()
    rows = db.session.scalars(select(Meeting).where(
        Meeting.project_id == project_id, Meeting.cancelled_at.is_(None),
        Meeting.starts_at >= now - timedelta(minutes=DURATION_MAX))
        .order_by(Meeting.starts_at, Meeting.id))
    return list(islice((m for m in rows
                        if m.starts_at + timedelta(minutes=m.duration_minutes) >= now), limit))


def _open_actions(project_id: int, limit: int) -> list[ProjectAction]:
    """Actions not done, by due date (undated last), as on the actions tab; two queries."""
    return list(db.session.scalars(
        select(ProjectAction).where(ProjectAction.project_id == project_id,
                                    ProjectAction.status != "done")
        .options(selectinload(ProjectAction.owner))
        .order_by(ProjectAction.due_on.is_(None), ProjectAction.due_on, ProjectAction.id)
        .limit(limit)))


def overview_page(actor: User, access: ProjectAccess) -> OverviewPage:
    project = access.project
    return OverviewPage(load_details(project), members(access),
                        _upcoming_meetings(project.id, OVERVIEW_MEETINGS),
                        _open_actions(project.id, OVERVIEW_ACTIONS),
                        has_requested(actor, access),
                        dict(taxonomy.choices("actor_profile")))


@dataclass
class MembersPage:
    members: list[ProjectMember]
    requests: list[JoinRequest]  # for those who manage the members, else empty
    requested: bool  # the actor's request to join is waiting
    invitable: list[User]  # who may be added, for those who manage the members


def members_page(actor: User, access: ProjectAccess) -> MembersPage:
    manages = can(actor, "project.manage_members", access)
    return MembersPage(members(access), join_requests(actor, access),
                       has_requested(actor, access),
                       invitable_members(access) if manages else [])


# Meetings -----------------------------------------------------------------------------------

@dataclass
class MeetingView:
    meeting: Meeting
    answers: dict[str, list[str]]
    mine: str | None
    # The minutes as the library lets this member see them (None: none, or not visible).
    minutes: library.Document | None = None
    may_manage: bool = False  # edit or cancel it
    may_file_minutes: bool = False

    @property
    def starts_local(self) -> datetime:
        return self.meeting.starts_at.astimezone(PARIS)

    @property
    def ends_at(self) -> datetime:
        return self.meeting.starts_at + timedelta(minutes=self.meeting.duration_minutes)

    @property
    def is_past(self) -> bool:
        return self.ends_at < utcnow()

    @property
    def has_started(self) -> bool:
        return self.meeting.starts_at <= utcnow()


@dataclass
class MeetingsPage:
    upcoming: list[MeetingView]
    past: list[MeetingView]
    next_past: int | None  # the last past meeting shown, for "older meetings"


def _view(actor: User, access: ProjectAccess, meeting: Meeting, answers: dict[str, list[str]],
          mine: str | None, minutes: library.Document | None) -> MeetingView:
    target = MeetingAccess(meeting, access)
    view = MeetingView(meeting, answers, mine, minutes,
                       may_manage=can(actor, "project.meeting.manage", target))
    view.may_file_minutes = (view.has_started and not meeting.is_cancelled
                             and can(actor, "project.meeting.minutes", target))
    return view


def meetings(actor: User, access: ProjectAccess, past_after: int | None = None,
             past_limit: int = PAST_PAGE) -> MeetingsPage:
    """Upcoming meetings (soonest first) and one page of past ones (latest first).

    Three queries whatever the number of meetings: meetings, answers, minutes."""
    rows = list(db.session.scalars(select(Meeting).where(
        Meeting.project_id == access.project.id).order_by(Meeting.starts_at, Meeting.id)))
    now = utcnow()
    upcoming = [m for m in rows
                if m.starts_at + timedelta(minutes=m.duration_minutes) >= now]
    upcoming_ids = {m.id for m in upcoming}
    past = [m for m in reversed(rows) if m.id not in upcoming_ids]
    if valid_id(past_after):
        ids = [m.id for m in past]
        past = past[ids.index(past_after) + 1:] if past_after in ids else past
    next_past = past[past_limit - 1].id if len(past) > past_limit else None
    shown = upcoming + past[:past_limit]
    answers: dict[int, dict[str, list[str]]] = {m.id: {a: [] for a in RSVP_ANSWERS}
                                                for m in shown}
    mine: dict[int, str] = {}
    if shown:
        for meeting_id, user_id, answer, name in db.session.execute(
                select(MeetingAnswer.meeting_id, MeetingAnswer.user_id, MeetingAnswer.answer,
                       User.display_name).join(User, User.id == MeetingAnswer.user_id)
                .where(MeetingAnswer.meeting_id.in_([m.id for m in shown]))
                .order_by(User.display_name)):
            answers[meeting_id][answer].append(name)
            if user_id == actor.id:
                mine[meeting_id] = answer
    minutes = library.visible_documents(
        actor, (m.minutes_document_id for m in shown if m.minutes_document_id))
    views = {m.id: _view(actor, access, m, answers[m.id], mine.get(m.id),
                         minutes.get(m.minutes_document_id))
             for m in shown}
    return MeetingsPage([views[m.id] for m in upcoming],
                        [views[m.id] for m in past[:past_limit]], next_past)


# Documents: the project's library shelf -----------------------------------------------------

@dataclass
class DocumentsTab:
    page: library.LibraryPage
    queue: list[library.QueueItem]
    waiting: list[library.Document]  # the actor's own submissions not (yet) published
    can_submit: bool
    can_moderate: bool


def documents(actor: User, access: ProjectAccess,
              query: library.LibraryQuery | None = None) -> DocumentsTab:
    project = access.project
    shelf_ = library.access_shelf(actor, "project", project.id)
    page = library.shelf(actor, "project", project.id, query)
    can_moderate = can(actor, "library.moderate", shelf_)
    can_submit = can(actor, "library.submit", shelf_)
    queue = library.pending(actor, "project", project.id) if can_moderate else []
    waiting = []
    if can_submit and not can_moderate:
        waiting = [d for d in library.my_submissions(actor)
                   if (d.owner_type, d.owner_id) == ("project", project.id)
                   and d.state in ("pending", "changes", "rejected")]
    return DocumentsTab(page, queue, waiting, can_submit, can_moderate)
