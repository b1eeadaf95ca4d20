"""What a submission must satisfy before anything is written: its metadata as typed by a
member, the notes that explain a decision, and one copy of a file per shelf.

These rules are shared by the submissions, the moderators' decisions and the comments, so
they live apart from each: a `check_*` calls them, then hands the clean values to a `do_*`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import taxonomy
from ...accounts.models import User
from ...errors import Invalid
from ...extensions import db
from ...permissions import can
from ...taxonomy import TaxonomyTerm
from ..models import Document, Version
from .access import Shelf, shelf_clause

TITLE_MAX = 200
SUMMARY_MAX = 5_000
AUTHORS_MAX = 300
KEYWORDS_MAX = 20
KEYWORD_MAX = 50
NOTE_MAX = 2_000
COMMENT_MAX = 5_000
FILES_MAX = 10
TAG_VOCABULARIES = ("domain", "sdg", "region", "actor_profile", "territorial_level")
LANGUAGES = {"fr": _l("Français"), "en": _l("Anglais"), "es": _l("Espagnol"),
             "de": _l("Allemand"), "it": _l("Italien"), "autre": _l("Autre langue")}
LICENCES = {
    "tous-droits": _l("Tous droits réservés"),
    "cc-by": _l("Creative Commons BY"),
    "cc-by-sa": _l("Creative Commons BY-SA"),
    "cc-by-nc": _l("Creative Commons BY-NC"),
    "cc-by-nc-sa": _l("Creative Commons BY-NC-SA"),
    "cc-by-nd": _l("Creative Commons BY-ND"),
    "cc0": _l("Domaine public (CC0)"),
    "licence-ouverte": _l("Licence Ouverte Etalab"),
}
STATE_LABELS = {
    "pending": _l("En attente"),
    "changes": _l("Modifications demandées"),
    "published": _l("Publié"),
    "rejected": _l("Refusé"),
    "unpublished": _l("Dépublié"),
}


@dataclass
class DocumentData:
    """Metadata as typed by a member; `check_*` functions validate and normalise it."""

    title: str = ""
    summary: str = ""
    authors: str = ""
    year: str | int | None = None
    document_type: str = ""
    language: str = "fr"
    licence: str = "tous-droits"
    keywords: str = ""
    tags: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class CleanData:
    title: str
    summary: str
    authors: str
    year: int | None
    document_type: TaxonomyTerm
    language: str
    licence: str
    keywords: str
    tags: list[TaxonomyTerm]


def max_bytes() -> int:
    return current_app.config["LIBRARY_MAX_BYTES"]


def clean_line(value: str | None) -> str:
    return " ".join((value or "").split())


def clean_note(value: str | None, field_name: str, required: bool,
               message: str | None = None) -> str:
    note = (value or "").strip()
    if required and not note:
        raise Invalid(message or _l("Merci d'indiquer un message."), field=field_name)
    if len(note) > NOTE_MAX:
        raise Invalid(_l("Le message est trop long (%(max)d caractères au plus).",
                         max=NOTE_MAX), field=field_name)
    return note


def clean_data(data: DocumentData, fallback_title: str = "") -> CleanData:
    title = clean_line(data.title) or fallback_title
    if not title:
        raise Invalid(_l("Le titre est obligatoire."), field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(_l("Le titre est trop long (%(max)d caractères au plus).",
                         max=TITLE_MAX), field="title")
    summary = (data.summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        raise Invalid(_l("Le résumé est trop long (%(max)d caractères au plus).",
                         max=SUMMARY_MAX), field="summary")
    authors = clean_line(data.authors)
    if len(authors) > AUTHORS_MAX:
        raise Invalid(_l("La liste des auteurs est trop longue."), field="authors")
    year = None
    raw_year = str(data.year).strip() if data.year not in (None, "") else ""
    if raw_year:
        if not raw_year.isdigit() or not 1900 <= int(raw_year) <= date.today().year + 1:
            raise Invalid(_l("L'année doit être comprise entre 1900 et %(max)d.",
                             max=date.today().year + 1), field="year")
        year = int(raw_year)
    kinds = taxonomy.by_codes("document_type", [data.document_type or ""])
    if not kinds:
        raise Invalid(_l("Choisissez le type de document."), field="document_type")
    if data.language not in LANGUAGES:
        raise Invalid(_l("Langue inconnue."), field="language")
    if data.licence not in LICENCES:
        raise Invalid(_l("Licence inconnue."), field="licence")
    keywords = list(dict.fromkeys(
        k for k in (clean_line(k) for k in re.split(r"[,;\n]", data.keywords or "")) if k))
    if len(keywords) > KEYWORDS_MAX or any(len(k) > KEYWORD_MAX for k in keywords):
        raise Invalid(_l("Au plus %(n)d mots-clés de %(len)d caractères chacun.",
                         n=KEYWORDS_MAX, len=KEYWORD_MAX), field="keywords")
    tags: list[TaxonomyTerm] = []
    for vocabulary in TAG_VOCABULARIES:
        tags.extend(taxonomy.by_codes(vocabulary, list(data.tags.get(vocabulary) or [])))
    return CleanData(title=title, summary=summary, authors=authors, year=year,
                     document_type=kinds[0], language=data.language, licence=data.licence,
                     keywords=", ".join(keywords), tags=tags)


def title_from(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    return clean_line(re.sub(r"[_]+", " ", stem))[:TITLE_MAX]


def refuse_duplicate(actor: User, shelf_: Shelf, sha256: str,
                     exclude: Document | None = None) -> None:
    """The same file twice on one shelf is refused, naming the copy when the member may
    see it (and only then: a pending submission of someone else stays private).
    `exclude`: a document receiving a new version may repeat one of its own files."""
    stmt = select(Document).join(Version, Version.document_id == Document.id).where(
        Version.sha256 == sha256, Version.state != "rejected",
        Document.state != "rejected", shelf_clause(shelf_))
    if exclude is not None:
        stmt = stmt.where(Document.id != exclude.id)
    found = db.session.scalar(stmt.limit(1))
    if found is None:
        return
    if can(actor, "library.document.view", found):
        raise Invalid(_l("Ce fichier est déjà dans la bibliothèque : « %(title)s ».",
                         title=found.title), field="files")
    raise Invalid(_l("Ce fichier a déjà été proposé par un autre membre et attend sa "
                     "validation."), field="files")
