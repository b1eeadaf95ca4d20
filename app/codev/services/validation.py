"""The limits of a session and the cleaning of what a member typed, shared by the writes
(a subject and a contribution are texts alike; a session's durations are set at scheduling
and again until it starts)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...errors import Invalid, TooLong
from .pages import Phase

SUBJECT_MAX = 200
TEXT_MAX = 2000
CONSULTANTS_MIN = 3
CONSULTANTS_MAX = 7
PHASE_MINUTES_MAX = 120
EXTEND_MINUTES_MAX = 30


def clean_text(value: object, *, field: str, limit: int, one_line: bool = False) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."), field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."),
                      field=field) from error
    text = " ".join(value.split()) if one_line else value.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_l("Ce champ est obligatoire."), field=field)
    if len(text) > limit:
        raise TooLong(_l("Ce texte est trop long (%(n)d caractères au plus).", n=limit),
                      field=field)
    return text


def clean_durations(raw: dict[str, object], defaults: list[Phase]) -> dict[str, int]:
    durations = {}
    for phase in defaults:
        value = raw.get(phase.code, phase.minutes)
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 1 <= value <= PHASE_MINUTES_MAX:
            raise Invalid(_l("Chaque phase dure de 1 à %(n)d minutes.", n=PHASE_MINUTES_MAX),
                          field=f"duration_{phase.code}")
        durations[phase.code] = value
    return durations
