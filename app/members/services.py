"""Profiles and the directory: the only code that changes a member's profile."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager

from .. import taxonomy
from ..accounts.models import User
from ..accounts.services import check_display_name
from ..db import on_commit
from ..errors import Invalid, NotFound
from ..extensions import db
from ..permissions import require
from ..storage import get_storage
from ..text import fold, format_size
from .models import Profile, profile_terms

TEXT_LIMITS = {"organisation": 200, "job_title": 200, "territory": 200}
BIO_MAX = 5000
AVATAR_SIZE = 512
AVATAR_MAX_PIXELS = 40_000_000
AVATAR_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
MULTI_VOCABULARIES = ("trade", "domain", "sdg")
SINGLE_VOCABULARIES = {"region": "region_id", "catalyst_profile": "catalyst_profile_id",
                       "scope": "scope_id"}


def _profile_options():
    return (
        contains_eager(User.profile).selectinload(Profile.region),
        contains_eager(User.profile).selectinload(Profile.catalyst_profile),
        contains_eager(User.profile).selectinload(Profile.scope),
        contains_eager(User.profile).selectinload(Profile.tags),
    )


def access_member(actor: User, user_id: int) -> User:
    """A member with their profile loaded; suspended members are hidden from non-moderators."""
    user = db.session.scalar(
        select(User).join(User.profile).where(User.id == user_id).options(*_profile_options()))
    if user is None:
        raise NotFound()
    require(actor, "member.view", user, hide=True)
    return user


def member_choices(exclude: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, str]]:
    """Active members to choose from (a conversation, an invitation, a session), by name."""
    rows = db.session.execute(
        select(User.id, User.display_name).where(User.status == "active")
        .order_by(User.display_name, User.id))
    return [(uid, name) for uid, name in rows if uid not in exclude]


@dataclass
class ProfileData:
    display_name: str
    organisation: str = ""
    job_title: str = ""
    territory: str = ""
    region: str = ""
    catalyst_profile: str = ""
    scope: str = ""
    bio: str = ""
    tags: dict[str, list[str]] = field(default_factory=dict)


def _clean_line(value: str | None, name: str) -> str:
    text = " ".join((value or "").split())
    if len(text) > TEXT_LIMITS[name]:
        raise Invalid(_l("Ce champ est trop long (%(n)d caractères au plus).",
                         n=TEXT_LIMITS[name]), field=name)
    return text


def _term_id(vocabulary: str, code: str) -> int | None:
    if not code:
        return None
    found = taxonomy.by_codes(vocabulary, [code])
    if not found:
        raise Invalid(_l("Valeur inconnue."), field=vocabulary)
    return found[0].id


def check_update_profile(actor: User, member: User, data: ProfileData) -> None:
    """Validate every field first, so that a refused form changes nothing."""
    require(actor, "profile.edit", member)
    display_name = check_display_name(data.display_name)
    lines = {name: _clean_line(getattr(data, name), name) for name in TEXT_LIMITS}
    bio = (data.bio or "").strip()
    if len(bio) > BIO_MAX:
        raise Invalid(_l("La présentation est trop longue (%(n)d caractères au plus).",
                         n=BIO_MAX), field="bio")
    terms = {column: _term_id(vocabulary, getattr(data, vocabulary))
             for vocabulary, column in SINGLE_VOCABULARIES.items()}
    tags = taxonomy.check_terms(data.tags, MULTI_VOCABULARIES, _l("Valeur inconnue."))
    do_update_profile(member, display_name, {**lines, **terms, "bio": bio}, tags)


def do_update_profile(member: User, display_name: str, columns: dict[str, object],
                      tags: list) -> None:
    member.display_name = display_name
    profile = member.profile
    for name, value in columns.items():
        setattr(profile, name, value)
    profile.tags = tags
    do_index_profile(member)


def do_index_profile(member: User) -> None:
    """Keep the folded name and search text in step with what the member typed."""
    profile = member.profile
    profile.sort_name = fold(member.display_name)[:120]
    profile.search_text = fold(
        f"{member.display_name} {profile.organisation} {profile.territory}")


def _decode_avatar(raw: bytes) -> tuple[bytes, str]:
    """Re-encode the image: strips metadata (GPS in photos) and anything hidden in the file.

    The pixel count is checked before decoding: a small file can declare a huge canvas.
    """
    unreadable = Invalid(_l("Ce fichier n'est pas une image lisible (PNG, JPEG, WebP ou GIF)."),
                         field="avatar")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        if image.format not in AVATAR_FORMATS:
            raise Invalid(_l("Format d'image non accepté (PNG, JPEG, WebP ou GIF)."),
                          field="avatar")
        if image.width * image.height > AVATAR_MAX_PIXELS:
            raise Invalid(_l("L'image est trop grande (%(n)d mégapixels au plus).",
                             n=AVATAR_MAX_PIXELS // 1_000_000), field="avatar")
        image.load()
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError) as exc:
        raise unreadable from exc
    image.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P"):
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), ".png"
    image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue(), ".jpg"


def check_set_avatar(actor: User, member: User, raw: bytes) -> None:
    require(actor, "profile.edit", member)
    if not raw:
        raise Invalid(_l("Le fichier est vide."), field="avatar")
    limit = current_app.config["AVATAR_MAX_BYTES"]
    if len(raw) > limit:
        raise Invalid(_l("L'image dépasse la taille autorisée (%(size)s).",
                         size=format_size(limit)), field="avatar")
    content, suffix = _decode_avatar(raw)
    do_set_avatar(member, content, suffix)


def do_set_avatar(member: User, content: bytes, suffix: str) -> None:
    """Store the re-encoded image; the previous one is deleted once the change commits."""
    stored = get_storage().save(content, suffix=suffix)
    _replace_avatar(member, stored.key)


def check_remove_avatar(actor: User, member: User) -> None:
    require(actor, "profile.edit", member)
    do_remove_avatar(member)


def do_remove_avatar(member: User) -> None:
    _replace_avatar(member, None)


def _replace_avatar(member: User, key: str | None) -> None:
    old = member.profile.avatar_key
    member.profile.avatar_key = key
    if old:
        storage = get_storage()
        on_commit(lambda: storage.delete(old))


@dataclass
class DirectoryFilters:
    q: str = ""
    region: str = ""
    catalyst_profile: str = ""
    trade: str = ""
    domain: str = ""
    sdg: str = ""

    def active(self) -> bool:
        return any(vars(self).values())


@dataclass
class DirectoryPage:
    members: list[User]
    next_cursor: int | None
    total: int


def _filtered(filters: DirectoryFilters):
    stmt = select(User).join(User.profile).where(User.status == "active")
    if filters.q:
        stmt = stmt.where(Profile.search_text.contains(fold(filters.q.strip()[:100]),
                                                       autoescape=True))
    for vocabulary, column in SINGLE_VOCABULARIES.items():
        code = getattr(filters, vocabulary, "")
        if code and vocabulary != "scope":
            term_ids = select(taxonomy.TaxonomyTerm.id).where(
                taxonomy.TaxonomyTerm.vocabulary == vocabulary,
                taxonomy.TaxonomyTerm.code == code)
            stmt = stmt.where(getattr(Profile, column).in_(term_ids))
    for vocabulary in MULTI_VOCABULARIES:
        code = getattr(filters, vocabulary)
        if code:
            stmt = stmt.where(exists().where(
                profile_terms.c.profile_id == Profile.user_id,
                profile_terms.c.term_id == taxonomy.TaxonomyTerm.id,
                taxonomy.TaxonomyTerm.vocabulary == vocabulary,
                taxonomy.TaxonomyTerm.code == code))
    return stmt


def directory(actor: User, filters: DirectoryFilters, after: int | None = None,
              limit: int = 24) -> DirectoryPage:
    """One page of active members in name order, continued by keyset after member `after`."""
    require(actor, "directory.view")
    base = _filtered(filters)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    stmt = (base.options(*_profile_options())
            .order_by(Profile.sort_name, User.id).limit(limit + 1))
    if after is not None:
        anchor = db.session.scalar(select(Profile.sort_name).where(Profile.user_id == after))
        if anchor is not None:
            stmt = stmt.where(or_(Profile.sort_name > anchor,
                                  and_(Profile.sort_name == anchor, User.id > after)))
    members = list(db.session.scalars(stmt).unique())
    next_cursor = None
    if len(members) > limit:
        members = members[:limit]
        next_cursor = members[-1].id
    return DirectoryPage(members=members, next_cursor=next_cursor, total=total)


def region_counts(actor: User) -> list[tuple[taxonomy.TaxonomyTerm, int]]:
    """Active members per region, every region listed (zero included), reference order."""
    require(actor, "directory.view")
    counts = dict(db.session.execute(
        select(Profile.region_id, func.count())
        .join(User, User.id == Profile.user_id)
        .where(User.status == "active", Profile.region_id.is_not(None))
        .group_by(Profile.region_id)).all())
    return [(term, counts.get(term.id, 0)) for term in taxonomy.terms("region")]


def newest_members(actor: User, limit: int = 6) -> list[User]:
    """Who joined recently, for the home page's welcome block."""
    require(actor, "directory.view")
    return list(db.session.scalars(
        select(User).join(User.profile).where(User.status == "active")
        .options(*_profile_options()).order_by(User.created_at.desc(), User.id.desc())
        .limit(limit)).unique())


SUGGEST_MIN = 2
SUGGEST_QUERY_MAX = 60


def suggest(actor: User, q: str | None, limit: int = 8) -> list[dict]:
    """Active members whose name matches `q` (accents and case ignored) for the @mention
    autocomplete: names starting with it first, then names containing it."""
    require(actor, "directory.view")
    folded = fold(" ".join((q or "").split()))[:SUGGEST_QUERY_MAX]
    if len(folded) < SUGGEST_MIN:
        return []
    limit = max(1, min(int(limit), 20))
    starts = Profile.sort_name.startswith(folded, autoescape=True)
    word_starts = or_(Profile.sort_name.contains(" " + folded, autoescape=True),
                      Profile.sort_name.contains("-" + folded, autoescape=True))
    rank = case((starts, 0), (word_starts, 1), else_=2)
    rows = db.session.execute(
        select(User.id, User.display_name).join(User.profile)
        .where(User.status == "active", Profile.sort_name.contains(folded, autoescape=True))
        .order_by(rank, Profile.sort_name, User.id).limit(limit))
    return [{"id": user_id, "display_name": name} for user_id, name in rows]
