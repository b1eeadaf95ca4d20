"""Creating a project space and changing what it says about itself. A space is born with
its own wall and chat channel and its creator as lead; turning it private closes its news
and live events to those outside it at once."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import taxonomy
from ...accounts.models import User
from ...chat import services as chat
from ...db import on_commit, utcnow
from ...errors import Invalid
from ...extensions import db
from ...notifications import services as notifications
from ...permissions import require
from ...realtime import empty_rooms_after_commit, publish
from ...sanitize import render_markdown, to_plain_text
from ...storage import get_storage
from ...text import fold
from ...walls import services as walls
from ..access import ProjectAccess
from ..models import STATUSES, VISIBILITIES, Project, ProjectPartner
from .common import (
    COVER_FORMATS,
    COVER_MAX_PIXELS,
    COVER_SIZE,
    DESCRIPTION_MAX,
    PARTNER_NAME_MAX,
    PARTNERS_MAX,
    PITCH_MAX,
    STATUS_LABELS,
    TAG_VOCABULARIES,
    TERRITORY_MAX,
    TITLE_MAX,
    clean_line,
    clean_text,
    project_room,
)
from .meetings import do_sync_agenda
from .membership import do_add_member, do_record_news
from .queries import member_ids

# A re-encoded cover image: its bytes and file suffix.
Cover = tuple[bytes, str]


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


def _clean(data: ProjectData) -> CleanProject:
    title = clean_line(data.title, TITLE_MAX, "title", required=True,
                       missing=_l("Le titre est obligatoire."))
    pitch = clean_line(data.pitch, PITCH_MAX, "pitch")
    description = clean_text(data.description, DESCRIPTION_MAX, "description")
    if data.status not in STATUSES:
        raise Invalid(_l("Statut inconnu."), field="status")
    if data.visibility not in VISIBILITIES:
        raise Invalid(_l("Visibilité inconnue."), field="visibility")
    territory = clean_line(data.territory, TERRITORY_MAX, "territory")
    tags = taxonomy.check_terms(data.tags, TAG_VOCABULARIES, _l("Valeur inconnue."))
    return CleanProject(title, pitch, description, data.status, data.visibility, territory,
                        tags, _check_partners(data.partners))


def decode_cover(raw: bytes) -> Cover:
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


def _store_cover(project: Project, cover: Cover | None) -> None:
    if cover is None:
        return
    content, suffix = cover
    storage = get_storage()
    stored = storage.save(content, suffix=suffix)
    old, project.cover_key = project.cover_key, stored.key
    if old:
        on_commit(lambda: storage.delete(old))


# Creating -----------------------------------------------------------------------------------

def check_create_project(actor: User, data: ProjectData, cover: bytes | None = None) -> Project:
    require(actor, "project.create")
    clean = _clean(data)
    return do_create_project(actor, clean, decode_cover(cover) if cover is not None else None)


def do_create_project(actor: User, clean: CleanProject, cover: Cover | None = None) -> Project:
    """The project, its wall and channel, and its creator as its first lead."""
    project = Project(created_by_id=actor.id, created_at=utcnow(), tags=[], partners=[])
    _apply(project, clean)
    db.session.add(project)
    db.session.flush()
    _store_cover(project, cover)
    project.wall_id = walls.do_create_owned_wall(project.title, "project", project.id).id
    project.channel_id = chat.do_create_owned_channel(project.title, "project", project.id).id
    do_add_member(project, actor, role="lead", by=actor, announce=False)
    return project


# Changing -----------------------------------------------------------------------------------

def check_update_project(actor: User, access: ProjectAccess, data: ProjectData,
                         cover: bytes | None = None) -> Project:
    require(actor, "project.edit", access)
    clean = _clean(data)
    return do_update_project(actor, access.project, clean,
                             decode_cover(cover) if cover is not None else None)


def do_update_project(actor: User, project: Project, clean: CleanProject,
                      cover: Cover | None = None) -> Project:
    """A new title renames the wall, the channel and the agenda entries; a new status is
    news for the members; turning private shuts out those outside."""
    old_status, old_visibility = project.status, project.visibility
    # Load the collections to replace (lazy="raise" protects pages, not this write).
    db.session.scalars(select(Project).where(Project.id == project.id).options(
        selectinload(Project.tags), selectinload(Project.partners))).one()
    old_title = project.title
    _apply(project, clean)
    _store_cover(project, cover)
    if project.title != old_title:
        do_sync_agenda(project)
        if project.wall_id:
            walls.do_rename_owned_wall(project.wall_id, project.title)
        if project.channel_id:
            chat.do_rename_owned_channel(project.channel_id, project.title)
    if project.status != old_status:
        label = STATUS_LABELS[project.status]
        do_record_news("project.status", actor, project, "project", project.id,
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
