"""What an event may hold, and the cleaning of what an organiser typed (times typed are
Paris time, stored in UTC; links are web addresses or nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ...errors import Invalid
from ..models import KINDS

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
LOCATION_MAX = 200
URL_MAX = 500
CAPACITY_MAX = 10_000
PARIS = ZoneInfo("Europe/Paris")
# Sessions and project meetings come from their feature, with their invitees.
NETWORK_KINDS = [k for k in KINDS if k not in ("codev", "projet")]


def clean_text(value: object, *, field: str, limit: int, required: bool = False,
               one_line: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."), field=field)
    text = " ".join(value.split()) if one_line else value.replace("\r\n", "\n").strip()
    if required and not text:
        raise Invalid(_l("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise Invalid(_l("Ce texte est trop long (%(n)d caractères au plus).", n=limit),
                      field=field)
    return text


def clean_web_url(value: object, *, field: str, required: bool = False) -> str:
    """An http(s) address (a webconference, a replay); anything else is refused rather than
    turned into a link that runs script or points at a local file."""
    text = clean_text(value, field=field, limit=URL_MAX)
    if not text:
        if required:
            raise Invalid(_l("Indiquez l'adresse du lien."), field=field)
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise Invalid(_l("Indiquez une adresse web complète, commençant par https://."),
                      field=field)
    return text


def aware(moment: datetime) -> datetime:
    """A time typed in a form is Paris time; stored in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(ZoneInfo("UTC"))


@dataclass
class EventData:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    location: str = ""
    visio_url: str = ""
    capacity: int | None = None


def clean_event(data: EventData) -> EventData:
    if data.kind not in NETWORK_KINDS:
        raise Invalid(_l("Type de rendez-vous inconnu."), field="kind")
    if not isinstance(data.starts_at, datetime) or not isinstance(data.ends_at, datetime):
        raise Invalid(_l("Indiquez la date et l'heure."), field="starts_at")
    starts_at, ends_at = aware(data.starts_at), aware(data.ends_at)
    if ends_at <= starts_at:
        raise Invalid(_l("La fin doit venir après le début."), field="ends_at")
    if ends_at - starts_at > timedelta(days=7):
        raise Invalid(_l("Un rendez-vous dure au plus une semaine."), field="ends_at")
    capacity = data.capacity
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or not 1 <= capacity <= CAPACITY_MAX):
        raise Invalid(_l("La jauge doit être un nombre entre 1 et %(n)d.", n=CAPACITY_MAX),
                      field="capacity")
    return EventData(
        kind=data.kind,
        title=clean_text(data.title, field="title", limit=TITLE_MAX, required=True),
        starts_at=starts_at, ends_at=ends_at,
        description=clean_text(data.description, field="description", limit=DESCRIPTION_MAX,
                               one_line=False),
        location=clean_text(data.location, field="location", limit=LOCATION_MAX),
        visio_url=clean_web_url(data.visio_url, field="visio_url"),
        capacity=capacity)
