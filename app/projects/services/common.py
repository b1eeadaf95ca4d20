"""Limits, labels, room names and the cleaning of typed text, shared by the reads and the
writes of the project spaces so that a form, a page and a check agree on them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ...errors import Invalid
from ...paths import path_for
from ..models import Project

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
OVERVIEW_MEETINGS = 3
OVERVIEW_ACTIONS = 5
TAG_VOCABULARIES = ("region", "domain", "sdg", "actor_profile", "partnership_type")
COVER_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
COVER_MAX_PIXELS = 40_000_000
COVER_SIZE = (1600, 900)

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


def project_room(project_id: int) -> str:
    return f"project:{project_id}"


def project_path(project: Project) -> str:
    return path_for("projects.show", project_id=project.id)


def clean_line(value: str | None, limit: int, field_name: str, *, required: bool = False,
               missing: object | None = None, too_long: object | None = None) -> str:
    """One line of typed text, whitespace collapsed, within its limit."""
    text = " ".join((value or "").split())
    if required and not text:
        raise Invalid(missing or _l("Ce champ est obligatoire."), field=field_name)
    if len(text) > limit:
        raise Invalid(too_long or _l("Texte trop long (%(n)d caractères au plus).", n=limit),
                      field=field_name)
    return text


def clean_text(value: str | None, limit: int, field_name: str) -> str:
    """Several lines of typed text (Markdown), line ends normalised, within its limit."""
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise Invalid(_l("Texte trop long (%(n)d caractères au plus).", n=limit),
                      field=field_name)
    return text
