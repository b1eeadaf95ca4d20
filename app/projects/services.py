"""Project services: the only code that changes projects, their members, actions and meetings.

A project space composes other features through their services: a wall
(`walls.do_create_owned_wall`), a chat channel whose membership follows the project's
(`chat.do_add_member` / `chat.do_remove_member`), a library shelf ("project", id) moderated
by the leads (`library.check_submit`, `library.pending`...), one agenda entry per meeting
whose invitees are the members (`agenda.do_upsert_owned_event` / `agenda.do_set_invitees`),
and the feed (`do_record_activity` with the project as context, read by the members who
follow it). Nothing here commits; live events go to `project:<id>` after the caller's
commit (docs/realtime.md, "### Projects").
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, vText
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from .. import taxonomy
from ..accounts.models import User
from ..agenda import services as agenda
from ..chat import services as chat
from ..db import on_commit, utcnow, valid_id
from ..errors import Invalid, NotFound
from ..extensions import db
from ..library import services as library
from ..moderation.log import do_log
from ..notifications import services as notifications
from ..paths import path_for
from ..permissions import can, require
from ..realtime import empty_rooms_after_commit, leave_room_after_commit, publish, user_room
from ..sanitize import render_markdown, to_plain_text
from ..storage import get_storage
from ..text import fold
from ..uploads import CheckedFile
from ..walls import services as walls
from .access import MeetingAccess, ProjectAccess, load_access, unreadable_project_ids
from .models import (
    ACTION_STATUSES,
    RSVP_ANSWERS,
    STATUSES,
    VISIBILITIES,
    JoinRequest,
    Meeting,
    MeetingAnswer,
    Project,
    ProjectAction,
    ProjectMember,
    ProjectPartner,
)

PARIS = ZoneInfo("Europe/Paris")
TITLE_MAX = 160
PITCH_MAX = 240
DESCRIPTION_MAX = 20_000
TERRITORY_MAX = 160
PARTNERS_MAX = 30
PARTNER_NAME_MAX = 160
MESSAGE_MAX = 1_000
ACTION_TITLE_MAX = 200
MEETING_TITLE_MAX = 200
AGENDA_MAX = 10_000
URL_MAX = 500
DURATION_MAX = 12 * 60
INVITE_MAX = 50
PAGE_SIZE = 24
PAST_PAGE = 10
TAG_VOCABULARIES = ("region", "domain", "sdg", "actor_profile", "partnership_type")
COVER_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
COVER_MAX_PIXELS = 40_000_000
COVER_SIZE = (1600, 900)


def project_room(project_id: int) -> str:
    return f"project:{project_id}"


# Access ------------------------------------------------------------------------------------

def access_project(actor: User, project_id: int) -> ProjectAccess:
    """The project if `actor` may read it; a private project of others is NotFound."""
    access = load_access(actor, project_id) if valid_id(project_id) else None
    if access is None:
        raise NotFound()
    require(actor, "project.view", access, hide=True)
    return access


def access_meeting(actor: User, access: ProjectAccess, meeting_id: int) -> MeetingAccess:
    meeting = db.session.get(Meeting, meeting_id) if valid_id(meeting_id) else None
    if meeting is None or meeting.project_id != access.project.id:
        raise NotFound()
    return MeetingAccess(meeting, access)


def _access_action(access: ProjectAccess, action_id: int) -> ProjectAction:
    action = db.session.get(ProjectAction, action_id) if valid_id(action_id) else None
    if action is None or action.project_id != access.project.id:
        raise NotFound()
    return action


# Projects: validation ----------------------------------------------------------------------

@dataclass
class ProjectData:
    title: str = ""
    pitch: str = ""
    description: str = ""
    status: str = "idea"
    visibility: str = "open"
    territory: str = ""
    tags: dict[str, list[str]] = field(default_factory=dict)
    partners: list[tuple[str, str]] = field(default_factory=list)


def _line(value: str | None, limit: int, field_name: str, *, required: bool = False,
          missing=None, too_long=None) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise Invalid(missing or _l("Ce champ est obligatoire."), field=field_name)
    if len(text) > limit:
        raise Invalid(too_long or _l("Texte trop long (%(n)d caractères au plus).", n=limit),
                      field=field_name)
    return text


def _text(value: str | None, limit: int, field_name: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise Invalid(_l("Texte trop long (%(n)d caractères au plus).", n=limit),
                      field=field_name)
    return text


def _check_partners(partners: list[tuple[str, str]]) -> list[tuple[str, str]]:
    kinds = {code for code, _label in taxonomy.choices("actor_profile")}
    cleaned: list[tuple[str, str]] = []
    for name, kind in partners:
        name = " ".join((name or "").split())
        kind = (kind or "").strip()
        if not name and not kind:
            continue
        if not name:
            raise Invalid(_l("Donnez le nom de chaque partenaire."), field="partners")
        if len(name) > PARTNER_NAME_MAX:
            raise Invalid(_l("Nom de partenaire trop long."), field="partners")
        if kind and kind not in kinds:
            raise Invalid(_l("Type d'organisation inconnu."), field="partners")
        cleaned.append((name, kind))
    if len(cleaned) > PARTNERS_MAX:
        raise Invalid(_l("%(n)d partenaires au plus.", n=PARTNERS_MAX), field="partners")
    return cleaned


@dataclass
class CleanProject:
    title: str
    pitch: str
    description: str
    status: str
    visibility: str
    territory: str
    terms: list[taxonomy.TaxonomyTerm]
    partners: list[tuple[str, str]]


def _clean(data: ProjectData) -> CleanProject:
    title = _line(data.title, TITLE_MAX, "title", required=True,
                  missing=_l("Le titre est obligatoire."))
    pitch = _line(data.pitch, PITCH_MAX, "pitch")
    description = _text(data.description, DESCRIPTION_MAX, "description")
    if data.status not in STATUSES:
        raise Invalid(_l("Statut inconnu."), field="status")
    if data.visibility not in VISIBILITIES:
        raise Invalid(_l("Visibilité inconnue."), field="visibility")
    territory = _line(data.territory, TERRITORY_MAX, "territory")
    tags = taxonomy.check_terms(data.tags, TAG_VOCABULARIES, _l("Valeur inconnue."))
    return CleanProject(title, pitch, description, data.status, data.visibility, territory,
                        tags, _check_partners(data.partners))


def decode_cover(raw: bytes) -> tuple[bytes, str]:
    """Re-encode the cover: strips metadata (GPS in photos) and anything hidden in the file;
    the pixel count is checked before decoding (a small file can declare a huge canvas)."""
    limit = current_app.config["AVATAR_MAX_BYTES"] * 2
    if not raw:
        raise Invalid(_l("Le fichier est vide."), field="cover")
    if len(raw) > limit:
        raise Invalid(_l("L'image est trop lourde (%(n)d Mo au plus).", n=limit // 2**20),
                      field="cover")
    unreadable = Invalid(_l("Ce fichier n'est pas une image lisible (PNG, JPEG, WebP ou GIF)."),
                         field="cover")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        if image.format not in COVER_FORMATS:
            raise unreadable
        if image.width * image.height > COVER_MAX_PIXELS:
            raise Invalid(_l("L'image est trop grande."), field="cover")
        image.load()
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError) as exc:
        raise unreadable from exc
    image.thumbnail(COVER_SIZE)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue(), ".jpg"


def _apply(project: Project, clean: CleanProject) -> None:
    project.title, project.pitch, project.territory = clean.title, clean.pitch, clean.territory
    project.description = clean.description
    project.description_html = str(render_markdown(clean.description))
    project.status, project.visibility = clean.status, clean.visibility
    project.tags = clean.terms
    project.partners = [ProjectPartner(name=name, kind=kind, position=i)
                        for i, (name, kind) in enumerate(clean.partners)]
    project.search_text = fold(" ".join(
        [clean.title, clean.pitch, clean.territory, to_plain_text(clean.description, 2000)]
        + [name for name, _kind in clean.partners]))
    project.updated_at = utcnow()


def _set_cover(project: Project, cover: bytes | None) -> None:
    if cover is None:
        return
    content, suffix = decode_cover(cover)
    storage = get_storage()
    stored = storage.save(content, suffix=suffix)
    old, project.cover_key = project.cover_key, stored.key
    if old:
        on_commit(lambda: storage.delete(old))


def project_path(project: Project) -> str:
    return path_for("projects.show", project_id=project.id)


def _snapshot(project: Project, title: str, url: str | None = None) -> dict:
    return {"title": title, "excerpt": project.pitch, "url": url or project_path(project),
            "context_name": project.title}


def _context_name(project_id: int) -> str:
    project = db.session.get(Project, project_id)
    return project.title if project is not None else ""


notifications.CONTEXT_NAMES["project"] = _context_name


def _closed_projects(user: User):
    """Feed activities of private projects the member is not (or no longer) in."""
    return notifications.activity_in("project", unreadable_project_ids(user))


walls.UNREADABLE_OWNERS["project"] = unreadable_project_ids
notifications.FEED_EXCLUSIONS.append(_closed_projects)


def _record(verb: str, actor: User | None, project: Project, object_type: str, object_id: int,
            title: str, url: str | None = None) -> None:
    """Project news: in the feed of the members, who follow the project (see do_add_member)."""
    notifications.do_record_activity(verb, actor, object_type, object_id,
                                     context_type="project", context_id=project.id,
                                     data=_snapshot(project, title, url))


# Projects: writing -------------------------------------------------------------------------

def check_create_project(actor: User, data: ProjectData, cover: bytes | None = None) -> Project:
    require(actor, "project.create")
    clean = _clean(data)
    project = Project(created_by_id=actor.id, created_at=utcnow(), tags=[], partners=[])
    _apply(project, clean)
    db.session.add(project)
    db.session.flush()
    _set_cover(project, cover)
    project.wall_id = walls.do_create_owned_wall(project.title[:120], "project", project.id).id
    project.channel_id = chat.do_create_owned_channel(project.title, "project", project.id).id
    do_add_member(project, actor, role="lead", by=actor, announce=False)
    return project


def check_update_project(actor: User, access: ProjectAccess, data: ProjectData,
                         cover: bytes | None = None) -> Project:
    require(actor, "project.edit", access)
    project = access.project
    clean = _clean(data)
    old_status, old_visibility = project.status, project.visibility
    # Load the collections to replace (lazy="raise" protects pages, not this write).
    db.session.scalars(select(Project).where(Project.id == project.id).options(
        selectinload(Project.tags), selectinload(Project.partners))).one()
    old_title = project.title
    _apply(project, clean)
    _set_cover(project, cover)
    if project.title != old_title:
        _sync_agenda(project)
        if project.wall_id:
            walls.do_rename_owned_wall(project.wall_id, project.title)
        if project.channel_id:
            chat.do_rename_owned_channel(project.channel_id, project.title)
    if project.status != old_status:
        label = STATUS_LABELS[project.status]
        _record("project.status", actor, project, "project", project.id,
                str(_l("Statut : %(status)s", status=label)))
    if project.visibility == "private" and old_visibility != "private":
        _forget_outside_followers(project)
        _outsiders_leave_rooms_after_commit(project)
    publish(project_room(project.id), "project:updated",
            {"type": "project", "op": "update", "project_id": project.id})
    return project


def _forget_outside_followers(project: Project) -> None:
    """A project turning private stops feeding its wall's news to those outside it."""
    members = set(member_ids(project.id))
    for user_id in notifications.follower_ids("wall", project.wall_id):
        if user_id not in members:
            user = db.session.get(User, user_id)
            notifications.do_unfollow(user, "wall", project.wall_id)


def _outsiders_leave_rooms_after_commit(project: Project) -> None:
    """A project turning private stops its live events (project, wall) reaching the open
    pages of those outside it, as a removed member's do (`leave_room_after_commit`)."""
    rooms = [project_room(project.id)]
    if project.wall_id:
        rooms.append(f"wall:{project.wall_id}")
    empty_rooms_after_commit(rooms, member_ids(project.id))


STATUS_LABELS = {
    "idea": _l("Idée"), "active": _l("En cours"), "paused": _l("En pause"),
    "done": _l("Terminé"),
}
VISIBILITY_LABELS = {
    "open": _l("Ouvert : visible de tous les membres, adhésion sur validation"),
    "private": _l("Privé : visible de ses seuls membres"),
}
ACTION_STATUS_LABELS = {"todo": _l("À faire"), "doing": _l("En cours"), "done": _l("Fait")}
RSVP_LABELS = {"yes": _l("Je viens"), "maybe": _l("Peut-être"), "no": _l("Je ne viens pas")}
ROLE_LABELS = {"lead": _l("Porteur·se"), "member": _l("Membre")}


# Membership --------------------------------------------------------------------------------

def member_ids(project_id: int) -> list[int]:
    return list(db.session.scalars(select(ProjectMember.user_id).where(
        ProjectMember.project_id == project_id).order_by(ProjectMember.user_id)))


def _channel(project: Project):
    return chat.owned_channel("project", project.id)


def do_add_member(project: Project, user: User, *, role: str = "member", by: User | None = None,
                  announce: bool = True) -> ProjectMember | None:
    """Make `user` a member: the project's chat channel, its wall and its news follow."""
    if db.session.get(ProjectMember, (project.id, user.id)) is not None:
        return None
    membership = ProjectMember(project_id=project.id, user_id=user.id, role=role,
                               joined_at=utcnow())
    db.session.add(membership)
    pending = db.session.scalar(select(JoinRequest).where(
        JoinRequest.project_id == project.id, JoinRequest.user_id == user.id))
    if pending is not None:
        db.session.delete(pending)
    db.session.flush()
    channel = _channel(project)
    if channel is not None:
        chat.do_add_member(channel, user)
    notifications.do_follow(user, "project", project.id)
    if project.wall_id:
        notifications.do_follow(user, "wall", project.wall_id)
    _sync_agenda(project)
    if announce:
        _record("project.member_joined", user, project, "project_member", user.id,
                str(_l("%(name)s rejoint le projet", name=user.display_name)))
        if by is not None and by.id != user.id:
            notifications.do_notify(
                user.id, "project", by, "project", project.id, url=project_path(project),
                text=str(_l("%(name)s vous a ajouté·e au projet « %(title)s »",
                            name=by.display_name, title=project.title)))
        publish(project_room(project.id), "project:member",
                {"type": "member", "op": "add", "project_id": project.id, "user_id": user.id})
    publish(user_room(user.id), "project:membership",
            {"type": "project", "op": "joined", "project_id": project.id})
    return membership


def do_remove_member(project: Project, user_id: int) -> bool:
    """Access ends at once: chat channel left (its sockets leave the room), the project's
    and wall's rooms left, its news no longer followed (nor, for a private project, the
    posts of its wall the member wrote or commented)."""
    membership = db.session.get(ProjectMember, (project.id, user_id))
    if membership is None:
        return False
    db.session.delete(membership)
    db.session.flush()
    channel = _channel(project)
    if channel is not None:
        chat.do_remove_member(channel, user_id)
    user = db.session.get(User, user_id)
    notifications.do_unfollow(user, "project", project.id)
    if project.wall_id:
        notifications.do_unfollow(user, "wall", project.wall_id)
    _sync_agenda(project)
    if project.is_private:
        # An open project stays readable: its live events may still reach this member.
        leave_room_after_commit(user_id, project_room(project.id))
        if project.wall_id:
            leave_room_after_commit(user_id, f"wall:{project.wall_id}")
            walls.do_unfollow_posts(user, project.wall_id)
    publish(project_room(project.id), "project:member",
            {"type": "member", "op": "remove", "project_id": project.id, "user_id": user_id})
    publish(user_room(user_id), "project:membership",
            {"type": "project", "op": "left", "project_id": project.id})
    return True


def _lead_count(project_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ProjectMember).where(
        ProjectMember.project_id == project_id, ProjectMember.role == "lead"))


def _keep_a_lead(project_id: int, leaving: ProjectMember) -> None:
    if leaving.role == "lead" and _lead_count(project_id) <= 1:
        raise Invalid(_l("Un projet garde toujours au moins un·e porteur·se : confiez d'abord "
                         "le portage à un autre membre."), field="role")


def check_request_join(actor: User, access: ProjectAccess, message: str = "") -> JoinRequest:
    require(actor, "project.request_join", access)
    message = _text(message, MESSAGE_MAX, "message")
    project = access.project
    existing = db.session.scalar(select(JoinRequest).where(
        JoinRequest.project_id == project.id, JoinRequest.user_id == actor.id))
    if existing is not None:
        raise Invalid(_l("Votre demande est déjà envoyée : un·e porteur·se va y répondre."),
                      field="message")
    request = JoinRequest(project_id=project.id, user_id=actor.id, message=message,
                          created_at=utcnow())
    db.session.add(request)
    db.session.flush()
    for lead_id in lead_ids(project.id):
        notifications.do_notify(
            lead_id, "project", actor, "project", project.id,
            url=path_for("projects.members", project_id=project.id),
            text=str(_l("%(name)s demande à rejoindre le projet « %(title)s »",
                        name=actor.display_name, title=project.title)))
    return request


def lead_ids(project_id: int) -> list[int]:
    return list(db.session.scalars(select(ProjectMember.user_id).where(
        ProjectMember.project_id == project_id, ProjectMember.role == "lead")
        .order_by(ProjectMember.user_id)))


def check_cancel_request(actor: User, access: ProjectAccess) -> None:
    request = db.session.scalar(select(JoinRequest).where(
        JoinRequest.project_id == access.project.id, JoinRequest.user_id == actor.id))
    if request is None:
        raise NotFound()
    db.session.delete(request)


def check_decide_request(actor: User, access: ProjectAccess, request_id: int,
                         accept: bool) -> User:
    require(actor, "project.manage_members", access)
    request = db.session.get(JoinRequest, request_id) if valid_id(request_id) else None
    if request is None or request.project_id != access.project.id:
        raise NotFound()
    user = db.session.get(User, request.user_id)
    project = access.project
    if accept and user.is_active:
        do_add_member(project, user, by=actor)
    else:
        db.session.delete(request)
        notifications.do_notify(
            user.id, "project", actor, "project", project.id, url=project_path(project),
            text=str(_l("Votre demande pour rejoindre « %(title)s » n'a pas été retenue.",
                        title=project.title)))
    return user


def check_invite(actor: User, access: ProjectAccess, user_ids: list[int]) -> list[User]:
    """Leads add members directly (the network is a closed group; anyone may leave)."""
    require(actor, "project.manage_members", access)
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        raise Invalid(_l("Choisissez au moins un membre."), field="members")
    if len(ids) > INVITE_MAX or not all(valid_id(i) for i in ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    users = list(db.session.scalars(select(User).where(User.id.in_(ids),
                                                       User.status == "active")))
    if len(users) != len(ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    return [u for u in users if do_add_member(access.project, u, by=actor) is not None]


def check_leave(actor: User, access: ProjectAccess) -> None:
    require(actor, "project.leave", access)
    _keep_a_lead(access.project.id, access.membership)
    do_remove_member(access.project, actor.id)
    access.membership = None


def check_remove_member(actor: User, access: ProjectAccess, user_id: int) -> None:
    require(actor, "project.manage_members", access)
    membership = db.session.get(ProjectMember, (access.project.id, user_id)) \
        if valid_id(user_id) else None
    if membership is None:
        raise NotFound()
    _keep_a_lead(access.project.id, membership)
    project = access.project
    do_remove_member(project, user_id)
    do_log(actor, "project.remove_member", "project", project.id, target_user_id=user_id)
    notifications.do_notify(
        user_id, "project", actor, "project", project.id, url=path_for("projects.index"),
        text=str(_l("Vous ne faites plus partie du projet « %(title)s »", title=project.title)))


def check_set_role(actor: User, access: ProjectAccess, user_id: int, role: str) -> None:
    """Share leadership (make another member lead) or step down (a lead stays)."""
    require(actor, "project.manage_members", access)
    if role not in ("lead", "member"):
        raise Invalid(_l("Rôle inconnu."), field="role")
    membership = db.session.get(ProjectMember, (access.project.id, user_id)) \
        if valid_id(user_id) else None
    if membership is None:
        raise NotFound()
    if membership.role == role:
        return
    if role == "member":
        _keep_a_lead(access.project.id, membership)
    membership.role = role
    project = access.project
    if role == "lead" and user_id != actor.id:
        notifications.do_notify(
            user_id, "project", actor, "project", project.id, url=project_path(project),
            text=str(_l("%(name)s vous a confié le portage du projet « %(title)s »",
                        name=actor.display_name, title=project.title)))
    publish(project_room(project.id), "project:member",
            {"type": "member", "op": "update", "project_id": project.id, "user_id": user_id})


def check_transfer(actor: User, access: ProjectAccess, user_id: int) -> None:
    """Hand over: the other member becomes lead, the actor an ordinary member."""
    if user_id == actor.id:
        raise Invalid(_l("Choisissez un autre membre."), field="role")
    check_set_role(actor, access, user_id, "lead")
    check_set_role(actor, access, actor.id, "member")
    access.membership = db.session.get(ProjectMember, (access.project.id, actor.id))


# Reading -----------------------------------------------------------------------------------

def members(access: ProjectAccess) -> list[ProjectMember]:
    """Leads first, then by name; two queries."""
    rows = list(db.session.scalars(
        select(ProjectMember).join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == access.project.id)
        .options(selectinload(ProjectMember.user).selectinload(User.profile))
        .order_by(ProjectMember.role, User.display_name, User.id)))
    return rows


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


def _visible_clause(actor: User):
    return Project.id.not_in(unreadable_project_ids(actor))


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
    stmt = select(Project).where(_visible_clause(actor)).options(
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
        .where(ProjectMember.user_id == user_id, _visible_clause(actor))
        .order_by(Project.title).limit(limit)).tuples())


# Actions -----------------------------------------------------------------------------------

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


def _check_owner(project: Project, owner_id: int | None) -> int | None:
    if owner_id is None:
        return None
    if not valid_id(owner_id) or db.session.get(ProjectMember, (project.id, owner_id)) is None:
        raise Invalid(_l("La personne responsable doit être membre du projet."), field="owner_id")
    return owner_id


def _check_action(title: str, status: str) -> str:
    title = _line(title, ACTION_TITLE_MAX, "title", required=True,
                  missing=_l("Décrivez l'action en quelques mots."))
    if status not in ACTION_STATUSES:
        raise Invalid(_l("Statut inconnu."), field="status")
    return title


def _notify_owner(actor: User, project: Project, action: ProjectAction) -> None:
    if action.owner_id is None:
        return
    notifications.do_notify(
        action.owner_id, "project", actor, "project_action", action.id,
        url=path_for("projects.actions", project_id=project.id, _anchor=f"action-{action.id}"),
        text=str(_l("%(name)s vous a confié une action dans « %(project)s » : %(title)s",
                    name=actor.display_name, project=project.title, title=action.title)))


def _publish_action(project_id: int, action_id: int, op: str) -> None:
    publish(project_room(project_id), "project:action",
            {"type": "action", "op": op, "project_id": project_id, "action_id": action_id})


def check_create_action(actor: User, access: ProjectAccess, *, title: str,
                        owner_id: int | None = None, due_on: date | None = None,
                        status: str = "todo") -> ProjectAction:
    require(actor, "project.contribute", access)
    project = access.project
    title = _check_action(title, status)
    owner_id = _check_owner(project, owner_id)
    now = utcnow()
    action = ProjectAction(project_id=project.id, title=title, owner_id=owner_id, due_on=due_on,
                           status=status, created_by_id=actor.id, created_at=now, updated_at=now)
    db.session.add(action)
    db.session.flush()
    _notify_owner(actor, project, action)
    _publish_action(project.id, action.id, "add")
    return action


def check_update_action(actor: User, access: ProjectAccess, action_id: int, *, title: str,
                        owner_id: int | None, due_on: date | None,
                        status: str) -> ProjectAction:
    require(actor, "project.contribute", access)
    action = _access_action(access, action_id)
    title = _check_action(title, status)
    owner_id = _check_owner(access.project, owner_id)
    new_owner = owner_id != action.owner_id
    action.title, action.owner_id, action.due_on, action.status = title, owner_id, due_on, status
    action.updated_at = utcnow()
    if new_owner:
        _notify_owner(actor, access.project, action)
    _publish_action(access.project.id, action.id, "update")
    return action


def check_set_action_status(actor: User, access: ProjectAccess, action_id: int,
                            status: str) -> ProjectAction:
    require(actor, "project.contribute", access)
    action = _access_action(access, action_id)
    if status not in ACTION_STATUSES:
        raise Invalid(_l("Statut inconnu."), field="status")
    if action.status != status:
        action.status, action.updated_at = status, utcnow()
        _publish_action(access.project.id, action.id, "update")
    return action


def check_delete_action(actor: User, access: ProjectAccess, action_id: int) -> None:
    require(actor, "project.contribute", access)
    action = _access_action(access, action_id)
    db.session.delete(action)
    _publish_action(access.project.id, action_id, "remove")


# Meetings ----------------------------------------------------------------------------------

@dataclass
class MeetingData:
    title: str = ""
    starts_local: datetime | None = None  # naive, Europe/Paris wall-clock time
    duration_minutes: int | None = 60
    visio_url: str = ""
    agenda: str = ""


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > URL_MAX \
            or any(c.isspace() for c in url):
        raise Invalid(_l("Donnez l'adresse complète de la visio (https://…)."),
                      field="visio_url")
    return url


def paris_to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in France; the fold picks the first of an ambiguous hour."""
    return local.replace(tzinfo=PARIS).astimezone(ZoneInfo("UTC"))


def _check_meeting(data: MeetingData) -> tuple[str, datetime, int, str, str]:
    title = _line(data.title, MEETING_TITLE_MAX, "title", required=True,
                  missing=_l("Donnez un titre à la réunion."))
    if data.starts_local is None:
        raise Invalid(_l("Indiquez la date et l'heure de la réunion."), field="starts_at")
    duration = data.duration_minutes
    if not isinstance(duration, int) or not 5 <= duration <= DURATION_MAX:
        raise Invalid(_l("Durée entre 5 minutes et 12 heures."), field="duration_minutes")
    agenda_text = _text(data.agenda, AGENDA_MAX, "agenda")
    return (title, paris_to_utc(data.starts_local), duration, _check_url(data.visio_url),
            agenda_text)


def _publish_meeting(project_id: int, meeting_id: int, op: str) -> None:
    publish(project_room(project_id), "project:meeting",
            {"type": "meeting", "op": op, "project_id": project_id, "meeting_id": meeting_id})


def check_create_meeting(actor: User, access: ProjectAccess, data: MeetingData) -> Meeting:
    require(actor, "project.contribute", access)
    title, starts_at, duration, url, agenda_text = _check_meeting(data)
    project = access.project
    meeting = Meeting(project_id=project.id, title=title, starts_at=starts_at,
                      duration_minutes=duration, visio_url=url, agenda=agenda_text,
                      agenda_html=str(render_markdown(agenda_text)), created_by_id=actor.id,
                      created_at=utcnow(), sequence=0)
    db.session.add(meeting)
    db.session.flush()
    local = starts_at.astimezone(PARIS)
    text = _l("%(name)s propose une réunion « %(title)s » le %(day)s à %(time)s (%(project)s)",
              name=actor.display_name, title=title, day=local.strftime("%d/%m/%Y"),
              time=local.strftime("%H:%M"), project=project.title)
    url_path = path_for("projects.meetings", project_id=project.id, _anchor=f"reunion-{meeting.id}")
    members_ = member_ids(project.id)
    for user_id in members_:
        notifications.do_notify(user_id, "project", actor, "project_meeting", meeting.id,
                                url=url_path, text=str(text))
    _sync_meeting_event(project, meeting, members_)
    _publish_meeting(project.id, meeting.id, "add")
    return meeting


def _require_not_cancelled(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise Invalid(_l("Cette réunion est annulée."))


def check_update_meeting(actor: User, target: MeetingAccess, data: MeetingData) -> Meeting:
    require(actor, "project.meeting.manage", target)
    _require_not_cancelled(target.meeting)
    title, starts_at, duration, url, agenda_text = _check_meeting(data)
    meeting = target.meeting
    meeting.title, meeting.starts_at, meeting.duration_minutes = title, starts_at, duration
    meeting.visio_url, meeting.agenda = url, agenda_text
    meeting.agenda_html = str(render_markdown(agenda_text))
    meeting.sequence += 1
    _sync_meeting_event(target.access.project, meeting, member_ids(meeting.project_id))
    _publish_meeting(meeting.project_id, meeting.id, "update")
    return meeting


def check_cancel_meeting(actor: User, target: MeetingAccess) -> Meeting:
    """Cancelled, not deleted: the members' calendars (.ics, agenda feeds) must learn it,
    which they only do from a newer version of the same event."""
    require(actor, "project.meeting.manage", target)
    meeting, project = target.meeting, target.access.project
    _require_not_cancelled(meeting)
    meeting.cancelled_at = utcnow()
    meeting.sequence += 1
    members_ = member_ids(project.id)
    _sync_meeting_event(project, meeting, members_)
    local = meeting.starts_at.astimezone(PARIS)
    text = _l("%(name)s a annulé la réunion « %(title)s » du %(day)s (%(project)s)",
              name=actor.display_name, title=meeting.title, day=local.strftime("%d/%m/%Y"),
              project=project.title)
    url_path = path_for("projects.meetings", project_id=project.id, _anchor=f"reunion-{meeting.id}")
    for user_id in members_:
        if user_id != actor.id:
            notifications.do_notify(user_id, "project", actor, "project_meeting", meeting.id,
                                    url=url_path, text=str(text))
    _publish_meeting(project.id, meeting.id, "update")
    return meeting


def check_rsvp(actor: User, target: MeetingAccess, answer: str) -> MeetingAnswer:
    require(actor, "project.contribute", target.access)
    _require_not_cancelled(target.meeting)
    if answer not in RSVP_ANSWERS:
        raise Invalid(_l("Réponse inconnue."), field="answer")
    row = db.session.get(MeetingAnswer, (target.meeting.id, actor.id))
    if row is None:
        row = MeetingAnswer(meeting_id=target.meeting.id, user_id=actor.id)
        db.session.add(row)
    row.answer, row.updated_at = answer, utcnow()
    db.session.flush()
    _publish_meeting(target.meeting.project_id, target.meeting.id, "update")
    return row


@dataclass
class MeetingView:
    meeting: Meeting
    answers: dict[str, list[str]]
    mine: str | None
    # The minutes as the library lets this member see them (None: none, or not visible).
    minutes: library.Document | None = None

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
    views = {m.id: MeetingView(m, answers[m.id], mine.get(m.id),
                               minutes.get(m.minutes_document_id))
             for m in shown}
    return MeetingsPage([views[m.id] for m in upcoming],
                        [views[m.id] for m in past[:past_limit]], next_past)


# The network agenda ----------------------------------------------------------------------

MEETING_SOURCE = "project_meeting"


def _agenda_description(project: Project, meeting: Meeting) -> str:
    link = path_for("projects.meetings", project_id=project.id, _anchor=f"reunion-{meeting.id}")
    head = str(_l("Réunion du projet « %(title)s ». [Ouvrir dans l'espace projet](%(url)s)",
                  title=project.title, url=link))
    return f"{head}\n\n{meeting.agenda}".strip()


def _sync_meeting_event(project: Project, meeting: Meeting, invitees: list[int]) -> None:
    """The meeting's entry in the network agenda, seen by the project's members only
    (open project or not: they are the ones invited). No organiser: an organiser sees the
    event whatever the invitees, and one who left a private project must not."""
    event = agenda.do_upsert_owned_event(
        MEETING_SOURCE, meeting.id, kind="projet", title=f"{meeting.title} · {project.title}",
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
        organizer_id=None, description=_agenda_description(project, meeting),
        visio_url=meeting.visio_url, cancelled=meeting.is_cancelled)
    agenda.do_set_invitees(event, invitees)


def _sync_agenda(project: Project) -> None:
    """After a membership or title change: every meeting's entry follows the project."""
    invitees = member_ids(project.id)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.project_id == project.id)
                                      .order_by(Meeting.id)):
        _sync_meeting_event(project, meeting, invitees)


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


# Minutes -------------------------------------------------------------------------------------

MINUTES_TYPE = "compte-rendu"


def check_attach_minutes(actor: User, target: MeetingAccess, checked: CheckedFile,
                         title: str = "") -> library.Document:
    """The minutes go onto the project's shelf like any document (the leads validate a
    member's, a lead's are published at once) and the meeting links to them."""
    require(actor, "project.meeting.minutes", target)
    meeting, project = target.meeting, target.access.project
    _require_not_cancelled(meeting)
    if meeting.starts_at > utcnow():
        raise Invalid(_l("Le compte rendu se dépose une fois la réunion commencée."),
                      field="file")
    day = meeting.starts_at.astimezone(PARIS).strftime("%d/%m/%Y")
    title = _line(title, library.TITLE_MAX, "title") or str(
        _l("Compte rendu — %(title)s (%(day)s)", title=meeting.title, day=day)
    )[:library.TITLE_MAX]
    data = library.DocumentData(
        title=title, document_type=MINUTES_TYPE,
        summary=str(_l("Compte rendu de la réunion « %(title)s » du %(day)s.",
                       title=meeting.title, day=day)),
        year=meeting.starts_at.astimezone(PARIS).year)
    try:
        [document] = _submit(actor, project, [checked], data)
    except Invalid as error:
        raise Invalid(error.message, field="title" if error.field == "title" else "file") \
            from error
    meeting.minutes_document_id = document.id
    _publish_meeting(project.id, meeting.id, "update")
    return document


# Documents: the project's library shelf -----------------------------------------------------

def _shelf(project: Project) -> library.Shelf:
    return library.Shelf("project", project.id)


def _submit(actor: User, project: Project, files: list[CheckedFile],
            data: library.DocumentData) -> list[library.Document]:
    documents = library.check_submit(actor, "project", project.id, files, data)
    if can(actor, "library.moderate", _shelf(project)):
        for document in documents:
            library.check_approve(actor, document)
        return documents
    url = path_for("projects.documents", project_id=project.id, _anchor="a-valider")
    for document in documents:
        for lead_id in lead_ids(project.id):
            notifications.do_notify(
                lead_id, "project", actor, "document", document.id, url=url,
                text=str(_l("%(name)s a déposé « %(title)s » dans « %(project)s » : "
                            "à valider", name=actor.display_name, title=document.title,
                            project=project.title)))
    return documents


def check_submit_documents(actor: User, access: ProjectAccess, files: list[CheckedFile],
                           data: library.DocumentData) -> list[library.Document]:
    """Members' uploads wait for a lead; a lead's are published at once (they would only
    have to approve them themselves)."""
    return _submit(actor, access.project, files, data)


def access_shelf_document(actor: User, access: ProjectAccess,
                          document_id: int) -> library.Document:
    """A document of this project's shelf, as the library lets `actor` see it."""
    if not valid_id(document_id):
        raise NotFound()
    document = library.access_document(actor, document_id)
    if (document.owner_type, document.owner_id) != ("project", access.project.id):
        raise NotFound()
    return document


def check_decide_document(actor: User, access: ProjectAccess, document: library.Document,
                          decision: str, message: str = "") -> None:
    if decision == "approve":
        library.check_approve(actor, document)
    elif decision == "changes":
        library.check_request_changes(actor, document, message)
    elif decision == "reject":
        library.check_reject(actor, document, message)
    else:
        raise Invalid(_l("Décision inconnue."))


def check_propose_document(actor: User, document: library.Document) -> library.Document:
    """Into the main library's moderation queue; the network's moderators decide."""
    return library.check_propose_to_main_library(actor, document)


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
