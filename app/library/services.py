"""Library services: the only code that changes documents, versions, collections, comments.

Public API for other features (project spaces, co-development, agenda) — a "shelf" is the
main library (owner_type None) or an owner's shelf such as ("project", 12), whose rule in
app/permissions.py OWNER_RULES decides who reads ("read"), submits ("write") and
moderates ("moderate"):

- `shelf(actor, owner_type, owner_id, query)`: a browsable, searchable page of a shelf;
- `check_submit(actor, owner_type, owner_id, files, data)`: members' submissions;
- `do_submit_generated(actor, filename, content, data, owner_type, owner_id)`: a file the
  platform produced (a co-development record, slides...), checked like any upload;
- `check_propose_to_main_library(actor, document)`: a shelf's moderator proposes one of its
  published documents to the main library's moderation queue;
- `pending(actor, owner_type, owner_id)`: the shelf's moderation queue.

Decisions go to the platform's moderation log and notify the submitter; published
documents reach the news feed. Nothing is deleted: refused, withdrawn and replaced
documents and versions are kept.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Row,
    Select,
    Subquery,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from .. import taxonomy
from ..accounts.models import User
from ..db import utcnow
from ..errors import Invalid, NotFound
from ..extensions import db
from ..moderation.log import do_log
from ..notifications import services as notifications
from ..paths import path_for
from ..permissions import can, require
from ..sanitize import render_markdown, to_plain_text
from ..storage import get_storage
from ..taxonomy import TaxonomyTerm
from ..text import fold
from ..uploads import CheckedFile
from . import extract, fts
from .files import check_library_file
from .models import (
    Collection,
    CollectionItem,
    Document,
    DocumentComment,
    FacetCount,
    SearchEntry,
    Version,
    document_terms,
)

TITLE_MAX = 200
SUMMARY_MAX = 5_000
AUTHORS_MAX = 300
KEYWORDS_MAX = 20
KEYWORD_MAX = 50
NOTE_MAX = 2_000
COMMENT_MAX = 5_000
FILES_MAX = 10
PAGE_SIZE = 20
PAGE_MAX = 50  # bounded pagination: past 1,000 results, refine the search
CANDIDATES_MAX = PAGE_SIZE * PAGE_MAX  # the matches of a search a reader can reach
SEARCH_TIERS = (("title",), ("title", "meta"))  # then every field
RELATED_MAX = 5
TAG_VOCABULARIES = ("domain", "sdg", "region", "actor_profile", "territorial_level")
FACET_VOCABULARIES = ("document_type", *TAG_VOCABULARIES)
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
SORTS = ("date", "title", "downloads", "relevance")


@dataclass(frozen=True)
class Shelf:
    """Whose documents: the main library (owner_type None) or an owner's shelf."""

    owner_type: str | None = None
    owner_id: int | None = None


MAIN = Shelf()


def shelf_of(document: Document) -> Shelf:
    return Shelf(document.owner_type, document.owner_id)


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


# Access -------------------------------------------------------------------------------------

def access_shelf(actor: User, owner_type: str | None = None,
                 owner_id: int | None = None) -> Shelf:
    shelf_ = Shelf(owner_type, owner_id) if owner_type else MAIN
    require(actor, "library.view", shelf_, hide=True)
    return shelf_


def _document_query() -> Select:
    return select(Document).options(
        selectinload(Document.tags), selectinload(Document.document_type),
        selectinload(Document.submitted_by))


def access_document(actor: User, document_id: int) -> Document:
    """A document its reader may see; anything else is NotFound, as if it did not exist."""
    document = db.session.scalar(_document_query().where(Document.id == document_id))
    if document is None:
        raise NotFound()
    require(actor, "library.document.view", document, hide=True)
    return document


def visible_documents(actor: User, document_ids: Iterable[int]) -> dict[int, Document]:
    """The documents among `document_ids` that `actor` may see, read in one query: pages
    listing documents filed elsewhere (meeting minutes, event slides) stay constant."""
    ids = set(document_ids)
    if not ids:
        return {}
    documents = db.session.scalars(_document_query().where(Document.id.in_(ids)))
    return {d.id: d for d in documents if can(actor, "library.document.view", d)}


def access_version(actor: User, version_id: int) -> Version:
    """A version is seen with its document: published ones by readers, the others by the
    submitter and the shelf's moderators."""
    version = db.session.get(Version, version_id)
    if version is None:
        raise NotFound()
    document = access_document(actor, version.document_id)
    if version.state != "published" and not can(actor, "library.document.insider", document):
        raise NotFound()
    version.document = document
    return version


def download_version(actor: User, document: Document) -> Version:
    """What "Télécharger" gives: the current published version, or for the submitter and
    moderators of a document not yet published, its latest version."""
    if document.current_version_id is not None:
        return access_version(actor, document.current_version_id)
    latest = db.session.scalar(select(Version.id).where(Version.document_id == document.id)
                               .order_by(Version.number.desc()).limit(1))
    if latest is None:
        raise NotFound()
    return access_version(actor, latest)


def versions_for(actor: User, document: Document) -> list[Version]:
    stmt = select(Version).where(Version.document_id == document.id).options(
        selectinload(Version.uploaded_by)).order_by(Version.number.desc())
    if not can(actor, "library.document.insider", document):
        stmt = stmt.where(Version.state == "published")
    return list(db.session.scalars(stmt))


def do_record_download(document: Document) -> None:
    db.session.execute(update(Document).where(Document.id == document.id).values(
        download_count=Document.download_count + 1).execution_options(
        synchronize_session=False))


# Validation ---------------------------------------------------------------------------------

def _line(value: str | None) -> str:
    return " ".join((value or "").split())


def _clean_note(value: str | None, field_name: str, required: bool,
                message=None) -> str:
    note = (value or "").strip()
    if required and not note:
        raise Invalid(message or _l("Merci d'indiquer un message."), field=field_name)
    if len(note) > NOTE_MAX:
        raise Invalid(_l("Le message est trop long (%(max)d caractères au plus).",
                         max=NOTE_MAX), field=field_name)
    return note


def clean_data(data: DocumentData, fallback_title: str = "") -> CleanData:
    title = _line(data.title) or fallback_title
    if not title:
        raise Invalid(_l("Le titre est obligatoire."), field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(_l("Le titre est trop long (%(max)d caractères au plus).",
                         max=TITLE_MAX), field="title")
    summary = (data.summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        raise Invalid(_l("Le résumé est trop long (%(max)d caractères au plus).",
                         max=SUMMARY_MAX), field="summary")
    authors = _line(data.authors)
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
        k for k in (_line(k) for k in re.split(r"[,;\n]", data.keywords or "")) if k))
    if len(keywords) > KEYWORDS_MAX or any(len(k) > KEYWORD_MAX for k in keywords):
        raise Invalid(_l("Au plus %(n)d mots-clés de %(len)d caractères chacun.",
                         n=KEYWORDS_MAX, len=KEYWORD_MAX), field="keywords")
    tags: list[TaxonomyTerm] = []
    for vocabulary in TAG_VOCABULARIES:
        tags.extend(taxonomy.by_codes(vocabulary, list(data.tags.get(vocabulary) or [])))
    return CleanData(title=title, summary=summary, authors=authors, year=year,
                     document_type=kinds[0], language=data.language, licence=data.licence,
                     keywords=", ".join(keywords), tags=tags)


def _apply(document: Document, clean: CleanData) -> None:
    document.title, document.summary, document.authors = clean.title, clean.summary, \
        clean.authors
    document.year, document.language, document.licence = clean.year, clean.language, \
        clean.licence
    document.document_type = clean.document_type
    document.document_type_id = clean.document_type.id
    document.keywords = clean.keywords
    document.tags = clean.tags
    document.updated_at = utcnow()


def _title_from(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    return _line(re.sub(r"[_]+", " ", stem))[:TITLE_MAX]


def _check_duplicate(actor: User, shelf_: Shelf, sha256: str,
                     exclude: Document | None = None) -> None:
    """The same file twice on one shelf is refused, naming the copy when the member may
    see it (and only then: a pending submission of someone else stays private).
    `exclude`: a document receiving a new version may repeat one of its own files."""
    stmt = select(Document).join(Version, Version.document_id == Document.id).where(
        Version.sha256 == sha256, Version.state != "rejected",
        Document.state != "rejected", _shelf_clause(shelf_))
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


def _shelf_clause(shelf_: Shelf):
    if shelf_.owner_type is None:  # both columns, so that the shelf index serves it
        return Document.owner_type.is_(None) & Document.owner_id.is_(None)
    return (Document.owner_type == shelf_.owner_type) & (Document.owner_id == shelf_.owner_id)


# Submitting ---------------------------------------------------------------------------------

def check_submit(actor: User, owner_type: str | None, owner_id: int | None,
                 files: list[CheckedFile], data: DocumentData) -> list[Document]:
    """One document per file, all sharing the metadata typed once. With several files the
    title, when given, is followed by each file's name; empty, each file names its own."""
    shelf_ = access_shelf(actor, owner_type, owner_id)
    require(actor, "library.submit", shelf_)
    if not files:
        raise Invalid(_l("Choisissez au moins un fichier."), field="files")
    if len(files) > FILES_MAX:
        raise Invalid(_l("Au plus %(n)d fichiers à la fois.", n=FILES_MAX), field="files")
    clean_data(data, fallback_title=_title_from(files[0].filename))
    documents = []
    for checked in files:
        title = _line(data.title)
        if len(files) > 1 or not title:
            own = _title_from(checked.filename)
            title = f"{title} — {own}"[:TITLE_MAX] if title else own
        clean = clean_data(DocumentData(**{**data.__dict__, "title": title}))
        documents.append(_do_submit(actor, shelf_, checked, clean))
    return documents


def do_submit_generated(actor: User, filename: str, content: bytes, data: DocumentData,
                        owner_type: str | None = None, owner_id: int | None = None,
                        anonymous: bool = False) -> Document:
    """Submit a file the platform produced on `actor`'s behalf (a co-development record as
    Markdown, an event's slides). It goes through the same checks and moderation as any
    submission; a moderator of the shelf publishes it at once.

    `anonymous`: readers are never told who submitted it (an anonymised record would
    otherwise name its client); `actor` still gets the moderation's answers and finds it
    among their submissions."""
    shelf_ = access_shelf(actor, owner_type, owner_id)
    require(actor, "library.submit", shelf_)
    checked = check_library_file(filename, content, max_bytes())
    clean = clean_data(data, fallback_title=_title_from(checked.filename))
    document = _do_submit(actor, shelf_, checked, clean)
    document.anonymous = bool(anonymous)
    if can(actor, "library.moderate", shelf_):
        do_approve(actor, document)
    return document


def _do_submit(actor: User, shelf_: Shelf, checked: CheckedFile, clean: CleanData,
               proposed_from: Document | None = None) -> Document:
    _check_duplicate(actor, shelf_, hashlib.sha256(checked.data).hexdigest())
    stored = get_storage().save(checked.data, suffix=f".{checked.extension}")
    now = utcnow()
    document = Document(owner_type=shelf_.owner_type, owner_id=shelf_.owner_id,
                        state="pending", submitted_by_id=actor.id, created_at=now,
                        proposed_from_id=proposed_from.id if proposed_from else None)
    _apply(document, clean)
    db.session.add(document)
    db.session.flush()
    version = Version(document_id=document.id, number=1, state="pending",
                      storage_key=stored.key, filename=checked.filename,
                      extension=checked.extension, content_type=checked.content_type,
                      size=stored.size, sha256=stored.sha256, uploaded_by_id=actor.id,
                      created_at=now)
    db.session.add(version)
    db.session.flush()
    do_index(document)
    extract.schedule(current_app._get_current_object(), version.id)
    return document


def check_new_version(actor: User, document: Document, checked: CheckedFile,
                      change_note: str) -> Version:
    require(actor, "library.document.version", document)
    note = _clean_note(change_note, "change_note", required=True,
                       message=_l("Dites en une phrase ce qui change dans cette version."))
    digest = hashlib.sha256(checked.data).hexdigest()
    same = db.session.scalar(select(Version.id).where(
        Version.document_id == document.id, Version.sha256 == digest,
        Version.state != "rejected"))
    if same is not None:
        raise Invalid(_l("Ce fichier est identique à une version déjà déposée."),
                      field="files")
    _check_duplicate(actor, shelf_of(document), digest, exclude=document)
    stored = get_storage().save(checked.data, suffix=f".{checked.extension}")
    number = (db.session.scalar(select(func.max(Version.number)).where(
        Version.document_id == document.id)) or 0) + 1
    moderator = can(actor, "library.moderate", document)
    version = Version(document_id=document.id, number=number, state="pending",
                      storage_key=stored.key, filename=checked.filename,
                      extension=checked.extension, content_type=checked.content_type,
                      size=stored.size, sha256=stored.sha256, change_note=note,
                      uploaded_by_id=actor.id, created_at=utcnow())
    db.session.add(version)
    db.session.flush()
    if document.state == "published" and moderator:
        _publish_version(document, version)
    elif document.state == "changes":
        document.state = "pending"
    document.updated_at = utcnow()
    do_index(document)
    extract.schedule(current_app._get_current_object(), version.id)
    return version


def check_edit(actor: User, document: Document, data: DocumentData) -> None:
    """Metadata edits: moderators at any time (logged), the submitter until publication;
    a submitter's edit after "modifications demandées" sends it back for validation."""
    require(actor, "library.document.edit", document)
    clean = clean_data(data)
    _apply(document, clean)
    if document.submitted_by_id != actor.id:
        do_log(actor, "document.edit", "document", document.id,
               target_user_id=document.submitted_by_id)
    if document.state == "changes" and document.submitted_by_id == actor.id:
        document.state = "pending"
    notifications.do_update_object_data("document", document.id, title=document.title,
                                        excerpt=to_plain_text(document.summary, 240))
    do_index(document)


# Moderation ---------------------------------------------------------------------------------

def _url(document: Document) -> str:
    return path_for("library.document", document_id=document.id)


def _decided(actor: User, document: Document, action: str, text, note: str = "") -> None:
    do_log(actor, action, "document", document.id, target_user_id=document.submitted_by_id,
           reason=note, title=document.title)
    document.decision_note = note
    document.decided_by_id, document.decided_at = actor.id, utcnow()
    if document.submitted_by_id:
        notifications.do_notify(document.submitted_by_id, "moderation", actor, "document",
                                document.id, url=_url(document), text=str(text))


def _require_state(document: Document, *states: str) -> None:
    if document.state not in states:
        raise Invalid(_l("Ce document n'est pas dans un état qui permet cette décision "
                         "(%(state)s).", state=STATE_LABELS[document.state]))


def check_approve(actor: User, document: Document) -> None:
    require(actor, "library.moderate", document)
    _require_state(document, "pending", "changes")
    do_approve(actor, document)


def do_approve(actor: User, document: Document) -> None:
    pending = list(db.session.scalars(select(Version).where(
        Version.document_id == document.id, Version.state == "pending")
        .order_by(Version.number)))
    for version in pending:
        version.state = "published"
    latest = max(pending, key=lambda v: v.number, default=None)
    if latest is not None:
        document.current_version_id = latest.id
    document.state = "published"
    document.published_at = utcnow()
    _decided(actor, document, "document.approve",
             _l("Votre document « %(title)s » est publié dans la bibliothèque.",
                title=document.title))
    _announce(document)
    do_index(document)


def _announce(document: Document) -> None:
    """Tell the feed; an anonymous document is announced with no actor, so the feed does
    not name the member who filed it."""
    submitter = db.session.get(User, document.submitted_by_id) \
        if document.submitted_by_id and not document.anonymous else None
    data = {"title": document.title, "excerpt": to_plain_text(document.summary, 240),
            "url": _url(document)}
    if document.owner_type is None:
        notifications.do_record_activity("document.published", submitter, "document",
                                         document.id, broadcast=True, data=data)
    else:
        notifications.do_record_activity(
            "document.published", submitter, "document", document.id,
            context_type=document.owner_type, context_id=document.owner_id, data=data)


def check_request_changes(actor: User, document: Document, message: str) -> None:
    require(actor, "library.moderate", document)
    _require_state(document, "pending")
    note = _clean_note(message, "message", required=True,
                       message=_l("Dites au déposant ce qu'il faut modifier."))
    document.state = "changes"
    _decided(actor, document, "document.request_changes",
             _l("Des modifications sont demandées sur « %(title)s » : %(note)s",
                title=document.title, note=note), note)


def check_reject(actor: User, document: Document, reason: str) -> None:
    require(actor, "library.moderate", document)
    _require_state(document, "pending", "changes")
    note = _clean_note(reason, "reason", required=True,
                       message=_l("Indiquez le motif du refus."))
    document.state = "rejected"
    for version in db.session.scalars(select(Version).where(
            Version.document_id == document.id, Version.state == "pending")):
        version.state = "rejected"
    _decided(actor, document, "document.reject",
             _l("Votre document « %(title)s » n'a pas été retenu : %(note)s",
                title=document.title, note=note), note)


def check_unpublish(actor: User, document: Document, reason: str) -> None:
    require(actor, "library.moderate", document)
    _require_state(document, "published")
    note = _clean_note(reason, "reason", required=True,
                       message=_l("Indiquez pourquoi le document est dépublié."))
    document.state = "unpublished"
    notifications.do_set_object_hidden("document", document.id, True)
    _decided(actor, document, "document.unpublish",
             _l("Votre document « %(title)s » a été retiré de la bibliothèque : %(note)s",
                title=document.title, note=note), note)
    do_index(document)


def check_republish(actor: User, document: Document) -> None:
    require(actor, "library.moderate", document)
    _require_state(document, "unpublished")
    if document.current_version_id is None:
        raise Invalid(_l("Ce document n'a aucune version publiée."))
    document.state = "published"
    notifications.do_set_object_hidden("document", document.id, False)
    _decided(actor, document, "document.republish",
             _l("Votre document « %(title)s » est de nouveau publié.", title=document.title))
    do_index(document)


def _publish_version(document: Document, version: Version) -> None:
    version.state = "published"
    document.current_version_id = version.id
    document.updated_at = utcnow()


def check_approve_version(actor: User, version: Version) -> None:
    document = version.document
    require(actor, "library.moderate", document)
    if version.state != "pending" or document.state != "published":
        raise Invalid(_l("Cette version n'attend pas de validation."))
    newer = db.session.scalar(select(func.max(Version.number)).where(
        Version.document_id == document.id, Version.state == "published"))
    version.state = "published"
    if newer is None or version.number > newer:
        document.current_version_id = version.id
    document.updated_at = utcnow()
    do_log(actor, "document.version_approve", "document", document.id,
           target_user_id=version.uploaded_by_id, version=version.number)
    if version.uploaded_by_id:
        notifications.do_notify(
            version.uploaded_by_id, "moderation", actor, "document", document.id,
            url=_url(document),
            text=str(_l("La version %(n)d de « %(title)s » est publiée.", n=version.number,
                        title=document.title)))
    do_index(document)


def check_reject_version(actor: User, version: Version, reason: str) -> None:
    document = version.document
    require(actor, "library.moderate", document)
    if version.state != "pending" or document.state != "published":
        raise Invalid(_l("Cette version n'attend pas de validation."))
    note = _clean_note(reason, "reason", required=True,
                       message=_l("Indiquez le motif du refus."))
    version.state, version.decision_note = "rejected", note
    do_log(actor, "document.version_reject", "document", document.id,
           target_user_id=version.uploaded_by_id, reason=note, version=version.number)
    if version.uploaded_by_id:
        notifications.do_notify(
            version.uploaded_by_id, "moderation", actor, "document", document.id,
            url=_url(document),
            text=str(_l("La version %(n)d de « %(title)s » n'a pas été retenue : %(note)s",
                        n=version.number, title=document.title, note=note)))
    do_index(document)


def check_propose_to_main_library(actor: User, document: Document) -> Document:
    """A shelf's moderator (a project lead) offers one of its published documents to the
    whole network: a new submission in the main library's queue, linked to the original
    and sharing its stored file (stored files are never changed nor deleted)."""
    if document.owner_type is None:
        raise Invalid(_l("Ce document est déjà dans la bibliothèque du réseau."))
    require(actor, "library.moderate", document)
    require(actor, "library.submit", MAIN)
    _require_state(document, "published")
    already = db.session.scalar(select(Document.id).where(
        Document.proposed_from_id == document.id, Document.state != "rejected"))
    if already is not None:
        raise Invalid(_l("Ce document a déjà été proposé à la bibliothèque du réseau."))
    source = db.session.get(Version, document.current_version_id)
    if source is None:
        raise Invalid(_l("Ce document n'a aucune version publiée."))
    _check_duplicate(actor, MAIN, source.sha256)
    now = utcnow()
    copy = Document(owner_type=None, owner_id=None, state="pending",
                    submitted_by_id=actor.id, created_at=now, proposed_from_id=document.id,
                    title=document.title, summary=document.summary,
                    authors=document.authors, year=document.year,
                    document_type_id=document.document_type_id,
                    language=document.language, licence=document.licence,
                    keywords=document.keywords, updated_at=now,
                    tags=list(db.session.scalars(select(TaxonomyTerm).where(
                        TaxonomyTerm.id.in_(_term_ids(document))))))
    db.session.add(copy)
    db.session.flush()
    db.session.add(Version(
        document_id=copy.id, number=1, state="pending", storage_key=source.storage_key,
        filename=source.filename, extension=source.extension,
        content_type=source.content_type, size=source.size, sha256=source.sha256,
        change_note="", uploaded_by_id=actor.id, created_at=now,
        text_state=source.text_state, text=source.text))
    db.session.flush()
    do_log(actor, "document.propose", "document", copy.id, from_document=document.id)
    do_index(copy)
    return copy


@dataclass
class QueueItem:
    document: Document
    version: Version | None  # a new version of a published document, else None


def pending(actor: User, owner_type: str | None = None, owner_id: int | None = None,
            limit: int = 100) -> list[QueueItem]:
    """Submissions waiting for a decision, oldest first: new documents, then new versions
    of published ones."""
    shelf_ = access_shelf(actor, owner_type, owner_id)
    require(actor, "library.moderate", shelf_)
    documents = list(db.session.scalars(
        _document_query().where(_shelf_clause(shelf_), Document.state == "pending")
        .order_by(Document.updated_at, Document.id).limit(limit)))
    versions = list(db.session.scalars(
        select(Version).join(Document, Document.id == Version.document_id).where(
            _shelf_clause(shelf_), Document.state == "published",
            Version.state == "pending")
        .options(selectinload(Version.document).selectinload(Document.document_type),
                 selectinload(Version.uploaded_by))
        .order_by(Version.id).limit(limit)))
    return [QueueItem(d, None) for d in documents] + [QueueItem(v.document, v)
                                                       for v in versions]


def pending_count(actor: User) -> int:
    if not can(actor, "library.moderate", MAIN):
        return 0
    return db.session.scalar(select(func.count()).select_from(Document).where(
        _shelf_clause(MAIN), Document.state == "pending")) or 0


def my_submissions(actor: User, limit: int = 200) -> list[Document]:
    return list(db.session.scalars(
        _document_query().where(Document.submitted_by_id == actor.id)
        .order_by(Document.updated_at.desc(), Document.id.desc()).limit(limit)))


# Search index -------------------------------------------------------------------------------

def do_index(document: Document) -> None:
    """Refresh the searchable text of a published document (metadata and the text of its
    current version) and its shelf's facet counters, or take it out of both when it is
    not published: the index holds exactly what the library's readers may find."""
    db.session.flush()
    entry = db.session.get(SearchEntry, document.id)
    before = set(entry.facets.split()) if entry is not None else set()
    if document.state != "published":
        if entry is not None:
            _do_count_facets(entry.scope, before, -1)
            db.session.delete(entry)
            db.session.flush()
        return
    body = db.session.scalar(select(Version.text).where(
        Version.id == document.current_version_id)) if document.current_version_id else ""
    terms = db.session.execute(select(TaxonomyTerm.id, TaxonomyTerm.label).where(
        TaxonomyTerm.id.in_(_term_ids(document)) | (TaxonomyTerm.id == document.document_type_id)
    )).all()
    meta = " ".join([document.summary, document.authors, document.keywords,
                     *(t.label for t in terms)])
    after = {"all", *(f"term:{t.id}" for t in terms)}
    if document.year is not None:
        after.add(f"year:{document.year}")
    scope = fts.scope(document.owner_type, document.owner_id)
    values = {"scope": scope, "title": fts.index_text(document.title),
              "meta": fts.index_text(meta), "body": fts.index_text(body or "", fts.BODY_MAX),
              "facets": " ".join(sorted(after))}
    if entry is None:
        db.session.add(SearchEntry(document_id=document.id, **values))
    else:
        _do_count_facets(entry.scope, before - after, -1)
        before &= after
        for key, value in values.items():
            setattr(entry, key, value)
    _do_count_facets(scope, after - before, 1)
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(fts.vector_update(document.id))


def _do_count_facets(scope: str, facets: set[str], delta: int) -> None:
    """Add delta to the counters, atomically in the database (two moderators publishing
    at once both count)."""
    if not facets:
        return
    upsert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = upsert(FacetCount).values(
        [{"scope": scope, "facet": f, "count": delta} for f in sorted(facets)])
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["scope", "facet"], set_={"count": FacetCount.count + stmt.excluded.count}))


def do_recount_facets() -> None:
    """Rebuild every facet counter from the index, after a bulk import or a repair."""
    db.session.execute(delete(FacetCount))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for scope, facets in db.session.execute(select(SearchEntry.scope, SearchEntry.facets)):
        for facet in facets.split():
            counts[scope, facet] += 1
    if counts:
        db.session.execute(insert(FacetCount), [
            {"scope": scope, "facet": facet, "count": n} for (scope, facet), n in counts.items()])


def _term_ids(document: Document) -> Select:
    return select(document_terms.c.term_id).where(document_terms.c.document_id == document.id)


def do_extract_version(version_id: int) -> None:
    """Background job: read the stored file's text, then refresh the document's index."""
    version = db.session.get(Version, version_id)
    if version is None:
        return
    path = get_storage().path(version.storage_key)
    try:
        text = extract.extract_text(path, version.extension)
    except Exception:
        current_app.logger.exception("library: cannot read text of version %s", version_id)
        version.text_state, version.text = "failed", ""
    else:
        version.text = text.replace("\x00", "")
        version.text_state = "done" if text.strip() else "none"
    document = db.session.scalar(_document_query().where(Document.id == version.document_id))
    do_index(document)


# Browsing and searching ---------------------------------------------------------------------

@dataclass
class LibraryQuery:
    q: str = ""
    sort: str = ""
    page: int = 1
    year: int | None = None
    collection: str = ""
    terms: dict[str, str] = field(default_factory=dict)  # vocabulary -> code

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.q.strip()):
            return self.sort
        return "relevance" if fts.query_terms(self.q) else "date"


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass
class LibraryPage:
    documents: list[Document]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    years: list[FacetValue]
    query: LibraryQuery
    collection: Collection | None = None
    # A search found more than it shows (CANDIDATES_MAX): `total` is then a lower bound.
    more: bool = False


def _facet_terms() -> dict[tuple[str, str], Row]:
    """(vocabulary, code) -> (id, label) of every term a facet may show, in order."""
    return {(t.vocabulary, t.code): t for t in db.session.execute(
        select(TaxonomyTerm.id, TaxonomyTerm.vocabulary, TaxonomyTerm.code, TaxonomyTerm.label)
        .where(TaxonomyTerm.vocabulary.in_(FACET_VOCABULARIES))
        .order_by(TaxonomyTerm.vocabulary, TaxonomyTerm.position))}


def shelf(actor: User, owner_type: str | None = None, owner_id: int | None = None,
          query: LibraryQuery | None = None) -> LibraryPage:
    """Published documents of a shelf, filtered, searched and sorted, with facet counts.

    A page costs a bounded number of queries whatever its size or the number of facets.
    The unfiltered shelf reads its total and facets from counters kept at each
    publication; a filtered one counts every document it lists. A search yields at most
    what a reader can reach (PAGE_MAX pages, CANDIDATES_MAX documents), the most relevant:
    the sorts, the facets and the total apply to them, and the page says when there were
    more. Scoring, counting and grouping all the matches of a word found everywhere would
    cost far more, for pages nobody reads.
    """
    shelf_ = access_shelf(actor, owner_type, owner_id)
    query = query or LibraryQuery()
    known = _facet_terms()
    filters, selected, collection = _filters(shelf_, query, known)
    query.terms = selected
    listed = [_shelf_clause(shelf_), Document.state == "published", *filters]
    scope = fts.scope(shelf_.owner_type, shelf_.owner_id)
    stems = fts.query_terms(query.q)
    sort = query.effective_sort
    more = False
    if stems:
        candidates, more = _candidates(stems, scope, filters)
        total = len(candidates)
        counts = _grouped(_id_set(candidates))
    elif filters:
        counted = select(Document.id).where(*listed)
        total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        counts = _grouped(counted)
    else:
        counts = _counters(scope)
        total = counts.get(("all", 0), 0)
    pages = max(1, min(PAGE_MAX, -(-total // PAGE_SIZE)))
    page = max(1, min(query.page, pages))
    stmt = _document_query().where(*listed)
    if stems and sort == "relevance":
        start = (page - 1) * PAGE_SIZE
        wanted = candidates[start:start + PAGE_SIZE]
        # Fetched by primary key, then checked: the index holds only published documents
        # of this shelf, and this makes sure of it without steering the query plan.
        by_id = {d.id: d for d in db.session.scalars(
            _document_query().where(Document.id.in_(wanted)))
            if d.state == "published" and shelf_of(d) == shelf_}
        documents = [by_id[i] for i in wanted if i in by_id]
    else:
        if stems:
            stmt = stmt.where(Document.id.in_(_id_set(candidates)))
        documents = _ordered_page(stmt, sort, query, collection, page)
    facets, years = _facets(counts, known, selected, query.year)
    return LibraryPage(documents=documents, total=total, page=page, pages=pages,
                       facets=facets, years=years, query=query, collection=collection,
                       more=more)


def _filters(shelf_: Shelf, query: LibraryQuery, known: dict[tuple[str, str], Row]
             ) -> tuple[list, dict[str, str], Collection | None]:
    """The conditions of the chosen facets, year and collection; unknown codes are
    dropped (they come from URLs)."""
    conditions = []
    selected: dict[str, str] = {}
    for vocabulary, code in query.terms.items():
        term = known.get((vocabulary, code))
        if term is None:
            continue
        selected[vocabulary] = code
        if vocabulary == "document_type":
            conditions.append(Document.document_type_id == term.id)
        else:
            conditions.append(exists().where(document_terms.c.document_id == Document.id,
                                             document_terms.c.term_id == term.id))
    if query.year:
        conditions.append(Document.year == query.year)
    collection = None
    if query.collection and shelf_ == MAIN:
        collection = db.session.scalar(select(Collection).where(
            Collection.slug == query.collection))
        if collection is None:
            raise NotFound()
        conditions.append(exists().where(CollectionItem.document_id == Document.id,
                                         CollectionItem.collection_id == collection.id))
    return conditions, selected, collection


def _candidates(stems: list[str], scope: str, filters: list) -> tuple[list[int], bool]:
    """The matches a reader can reach, best first (at most CANDIDATES_MAX), and whether
    there are more.

    Up to CANDIDATES_MAX matches are all ranked by relevance (bm25, ts_rank). Beyond, the
    words are in most of the library: relevance scores hardly tell documents apart (bm25's
    IDF of such a word is nil) while costing one score, and on PostgreSQL one large value
    read, per match. The candidates are then the documents holding the words in their
    title, then in their metadata, then anywhere, the newest first, each tier read in
    index order and only as far as needed.
    """
    dialect = db.engine.dialect.name

    def first_ids(found: Subquery, limit: int, *order) -> list[int]:
        stmt = select(found.c.document_id)
        if filters:
            stmt = stmt.join(Document, Document.id == found.c.document_id).where(*filters)
        return list(db.session.execute(stmt.order_by(*order).limit(limit)).scalars().all())

    found = fts.matches(dialect, stems, scope)
    newest = first_ids(found, CANDIDATES_MAX + 1, found.c.document_id.desc())
    if len(newest) <= CANDIDATES_MAX:
        ranked = fts.matches(dialect, stems, scope, ranked=True)
        return first_ids(ranked, CANDIDATES_MAX, ranked.c.rank,
                         ranked.c.document_id.desc()), False
    candidates: dict[int, None] = {}
    for fields in SEARCH_TIERS:
        tier = fts.matches(dialect, stems, scope, fields=fields)
        # A tier holds the previous one: it may repeat all of it before anything new.
        candidates.update(dict.fromkeys(first_ids(
            tier, CANDIDATES_MAX, tier.c.document_id.desc())))
        if len(candidates) >= CANDIDATES_MAX:
            break
    else:
        candidates.update(dict.fromkeys(newest))  # the words anywhere: already read
    return list(candidates)[:CANDIDATES_MAX], True


def _id_set(ids: list[int]) -> Select:
    """A set of ids as one parameter (a JSON list on SQLite, an array on PostgreSQL):
    binding a thousand parameters costs more than the query using them."""
    if db.engine.dialect.name == "postgresql":
        return select(func.unnest(bindparam("ids", ids, type_=ARRAY(Integer))).label("id"))
    return select(literal_column("value").label("id")).select_from(
        func.json_each(json.dumps(ids)))


def _ordered_page(stmt: Select, sort: str, query: LibraryQuery,
                  collection: Collection | None, page: int) -> list[Document]:
    if sort == "title":
        stmt = stmt.order_by(func.lower(Document.title), Document.id)
    elif sort == "downloads":
        stmt = stmt.order_by(Document.download_count.desc(), Document.id.desc())
    elif collection is not None and not query.sort:
        position = select(CollectionItem.position).where(
            CollectionItem.document_id == Document.id,
            CollectionItem.collection_id == collection.id).scalar_subquery()
        stmt = stmt.order_by(position, Document.id)
    else:
        stmt = stmt.order_by(Document.published_at.desc(), Document.id.desc())
    return list(db.session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))


def _grouped(counted: Select) -> dict[tuple[str, int], int]:
    """Counts by tag, type ("term", id) and year ("year", n) of the counted documents
    (a select of their ids), in one grouped query over a set computed once."""
    ids = counted.cte("counted")
    in_set = select(ids.c.id)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for term_id, document_type_id, year, n in db.session.execute(union_all(
            select(document_terms.c.term_id, literal(None, Integer), literal(None, Integer),
                   func.count())
            .where(document_terms.c.document_id.in_(in_set))
            .group_by(document_terms.c.term_id),
            select(literal(None, Integer), Document.document_type_id, Document.year,
                   func.count())
            .where(Document.id.in_(in_set))
            .group_by(Document.document_type_id, Document.year))):
        if term_id is not None:
            counts["term", term_id] += n
            continue
        counts["term", document_type_id] += n
        if year is not None:
            counts["year", year] += n
    return counts


def _counters(scope: str) -> dict[tuple[str, int], int]:
    """The shelf's facet counters, keyed like _grouped, the total as ("all", 0)."""
    counts = {}
    for facet, n in db.session.execute(select(FacetCount.facet, FacetCount.count).where(
            FacetCount.scope == scope, FacetCount.count > 0)):
        kind, _, key = facet.partition(":")
        counts[kind, int(key or 0)] = n
    return counts


def _facets(counts: dict[tuple[str, int], int], known: dict[tuple[str, str], Row],
            selected: dict[str, str], year: int | None
            ) -> tuple[dict[str, list[FacetValue]], list[FacetValue]]:
    years = sorted((FacetValue(str(key), str(key), n, year == key)
                    for (kind, key), n in counts.items() if kind == "year"),
                   key=lambda f: f.code, reverse=True)
    facets: dict[str, list[FacetValue]] = {}
    for (vocabulary, code), term in known.items():
        n = counts.get(("term", term.id), 0)
        is_selected = selected.get(vocabulary) == code
        if n or is_selected:
            facets.setdefault(vocabulary, []).append(
                FacetValue(code, term.label, n, is_selected))
    return facets, years


def related(actor: User, document: Document, limit: int = RELATED_MAX) -> list[Document]:
    """Published documents of the same shelf sharing the most tags with this one."""
    shared = (select(document_terms.c.document_id, func.count().label("shared"))
              .where(document_terms.c.term_id.in_(_term_ids(document)),
                     document_terms.c.document_id != document.id)
              .group_by(document_terms.c.document_id).subquery())
    return list(db.session.scalars(
        _document_query().join(shared, shared.c.document_id == Document.id)
        .where(_shelf_clause(shelf_of(document)), Document.state == "published")
        .order_by(shared.c.shared.desc(), Document.published_at.desc(), Document.id.desc())
        .limit(limit)))


def document_collections(document: Document) -> list[Collection]:
    return list(db.session.scalars(
        select(Collection).join(CollectionItem, CollectionItem.collection_id == Collection.id)
        .where(CollectionItem.document_id == document.id).order_by(Collection.position)))


# Collections ("dossiers thématiques") -------------------------------------------------------

def collections(actor: User) -> list[tuple[Collection, int]]:
    """Collections in the moderators' order, with their count of published documents."""
    require(actor, "library.view", MAIN, hide=True)
    published = (select(CollectionItem.collection_id, func.count().label("n"))
                 .join(Document, Document.id == CollectionItem.document_id)
                 .where(Document.state == "published")
                 .group_by(CollectionItem.collection_id).subquery())
    return [(c, n or 0) for c, n in db.session.execute(
        select(Collection, published.c.n)
        .outerjoin(published, published.c.collection_id == Collection.id)
        .order_by(Collection.position, Collection.id))]


def access_collection(actor: User, collection_id: int) -> Collection:
    require(actor, "library.view", MAIN, hide=True)
    collection = db.session.get(Collection, collection_id)
    if collection is None:
        raise NotFound()
    return collection


def _slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60] or "dossier"


def check_create_collection(actor: User, title: str, description: str = "") -> Collection:
    require(actor, "library.collections.manage")
    title = _line(title)
    if not title:
        raise Invalid(_l("Le titre est obligatoire."), field="title")
    if len(title) > 150:
        raise Invalid(_l("Le titre est trop long."), field="title")
    description = (description or "").strip()
    if len(description) > 2000:
        raise Invalid(_l("La description est trop longue."), field="description")
    base = slug = _slugify(title)
    n = 2
    while db.session.scalar(select(Collection.id).where(Collection.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    position = (db.session.scalar(select(func.max(Collection.position))) or 0) + 1
    collection = Collection(slug=slug, title=title, description=description,
                            position=position, created_by_id=actor.id)
    db.session.add(collection)
    db.session.flush()
    do_log(actor, "collection.create", "collection", collection.id, title=title)
    return collection


def check_move_collection(actor: User, collection: Collection, offset: int) -> None:
    require(actor, "library.collections.manage")
    ordered = list(db.session.scalars(select(Collection).order_by(Collection.position,
                                                                  Collection.id)))
    _move(ordered, collection, offset)


def _move(ordered: list, item, offset: int) -> None:
    index = ordered.index(item)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, each in enumerate(ordered):
        each.position = position


def check_add_to_collection(actor: User, collection: Collection, document: Document) -> None:
    require(actor, "library.collections.manage")
    if document.owner_type is not None or document.state != "published":
        raise Invalid(_l("Seuls les documents publiés de la bibliothèque du réseau peuvent "
                         "entrer dans un dossier."))
    if db.session.scalar(select(CollectionItem.id).where(
            CollectionItem.collection_id == collection.id,
            CollectionItem.document_id == document.id)):
        raise Invalid(_l("Ce document est déjà dans ce dossier."))
    position = (db.session.scalar(select(func.max(CollectionItem.position)).where(
        CollectionItem.collection_id == collection.id)) or 0) + 1
    db.session.add(CollectionItem(collection_id=collection.id, document_id=document.id,
                                  position=position))
    do_log(actor, "collection.add", "collection", collection.id, document=document.id)


def check_remove_from_collection(actor: User, collection: Collection,
                                 document_id: int) -> None:
    require(actor, "library.collections.manage")
    item = db.session.scalar(select(CollectionItem).where(
        CollectionItem.collection_id == collection.id,
        CollectionItem.document_id == document_id))
    if item is None:
        raise NotFound()
    db.session.delete(item)
    do_log(actor, "collection.remove", "collection", collection.id, document=document_id)


def check_move_in_collection(actor: User, collection: Collection, document_id: int,
                             offset: int) -> None:
    require(actor, "library.collections.manage")
    ordered = list(db.session.scalars(select(CollectionItem).where(
        CollectionItem.collection_id == collection.id).order_by(CollectionItem.position,
                                                                CollectionItem.id)))
    item = next((i for i in ordered if i.document_id == document_id), None)
    if item is None:
        raise NotFound()
    _move(ordered, item, offset)


# Comments -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CommentAccess:
    comment: DocumentComment
    document: Document


def comments(actor: User, document: Document) -> list[DocumentComment]:
    return list(db.session.scalars(
        select(DocumentComment).where(DocumentComment.document_id == document.id,
                                      DocumentComment.deleted_at.is_(None))
        .options(selectinload(DocumentComment.author)).order_by(DocumentComment.id)))


def check_comment(actor: User, document: Document, body: str) -> DocumentComment:
    require(actor, "library.document.comment", document)
    body = (body or "").strip()
    if not body:
        raise Invalid(_l("Le commentaire est vide."), field="body")
    if len(body) > COMMENT_MAX:
        raise Invalid(_l("Le commentaire est trop long (%(max)d caractères au plus).",
                         max=COMMENT_MAX), field="body")
    comment = DocumentComment(document_id=document.id, author_id=actor.id, body=body,
                              body_html=str(render_markdown(body)), created_at=utcnow())
    db.session.add(comment)
    document.comment_count += 1
    db.session.flush()
    if document.submitted_by_id:
        notifications.do_notify(
            document.submitted_by_id, "reply", actor, "document", document.id,
            url=f"{_url(document)}#commentaire-{comment.id}",
            text=str(_l("%(name)s a commenté « %(title)s »", name=actor.display_name,
                        title=document.title)))
    return comment


def access_comment(actor: User, comment_id: int) -> CommentAccess:
    comment = db.session.get(DocumentComment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise NotFound()
    return CommentAccess(comment, access_document(actor, comment.document_id))


def check_delete_comment(actor: User, target: CommentAccess, reason: str = "") -> None:
    require(actor, "library.comment.delete", target)
    comment, document = target.comment, target.document
    by_moderator = comment.author_id != actor.id
    note = _clean_note(reason, "reason", required=by_moderator,
                       message=_l("Indiquez le motif de la suppression."))
    comment.deleted_at, comment.deleted_by_id, comment.deleted_reason = \
        utcnow(), actor.id, note
    document.comment_count = max(0, document.comment_count - 1)
    if by_moderator:
        do_log(actor, "document_comment.delete", "document_comment", comment.id,
               target_user_id=comment.author_id, reason=note, document=document.id)
        notifications.do_notify(
            comment.author_id, "moderation", actor, "document", document.id,
            url=_url(document),
            text=str(_l("Votre commentaire sur « %(title)s » a été retiré : %(note)s",
                        title=document.title, note=note)))

