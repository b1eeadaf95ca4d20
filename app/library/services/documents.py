"""Filing documents: submissions (by members or by the platform), new versions, metadata
edits and downloads. A new file is stored once and never changed nor deleted; its text is
read after the commit (`indexing.do_extract_later`)."""

from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...moderation.log import do_log
from ...notifications import services as notifications
from ...permissions import can, require
from ...sanitize import to_plain_text
from ...storage import get_storage
from ...uploads import CheckedFile
from ..files import check_library_file
from ..models import Document, Version
from .access import Shelf, access_shelf, shelf_of
from .indexing import do_extract_later, do_index
from .moderation import do_approve
from .validation import (
    FILES_MAX,
    TITLE_MAX,
    CleanData,
    DocumentData,
    clean_data,
    clean_line,
    clean_note,
    max_bytes,
    refuse_duplicate,
    title_from,
)


def check_submit(actor: User, owner_type: str | None, owner_id: int | None,
                 files: list[CheckedFile], data: DocumentData) -> list[Document]:
    """One document per file, all sharing the metadata typed once. With several files the
    title, when given, is followed by each file's name; empty, each file names its own.
    Each file is checked against the shelf after the previous one is filed, so the same
    file twice in one submission is refused too."""
    shelf_ = access_shelf(actor, owner_type, owner_id)
    require(actor, "library.submit", shelf_)
    if not files:
        raise Invalid(_l("Choisissez au moins un fichier."), field="files")
    if len(files) > FILES_MAX:
        raise Invalid(_l("Au plus %(n)d fichiers à la fois.", n=FILES_MAX), field="files")
    clean_data(data, fallback_title=title_from(files[0].filename))
    documents = []
    for checked in files:
        title = clean_line(data.title)
        if len(files) > 1 or not title:
            own = title_from(checked.filename)
            title = f"{title} — {own}"[:TITLE_MAX] if title else own
        clean = clean_data(DocumentData(**{**data.__dict__, "title": title}))
        refuse_duplicate(actor, shelf_, hashlib.sha256(checked.data).hexdigest())
        documents.append(do_submit_file(actor, shelf_, checked, clean))
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
    clean = clean_data(data, fallback_title=title_from(checked.filename))
    refuse_duplicate(actor, shelf_, hashlib.sha256(checked.data).hexdigest())
    document = do_submit_file(actor, shelf_, checked, clean)
    document.anonymous = bool(anonymous)
    if can(actor, "library.moderate", shelf_):
        do_approve(actor, document)
    return document


def do_submit_file(actor: User, shelf_: Shelf, checked: CheckedFile,
                   clean: CleanData) -> Document:
    """A pending document on `shelf_` with the file as its first version."""
    stored = get_storage().save(checked.data, suffix=f".{checked.extension}")
    now = utcnow()
    document = Document(owner_type=shelf_.owner_type, owner_id=shelf_.owner_id,
                        state="pending", submitted_by_id=actor.id, created_at=now)
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
    do_extract_later(version)
    return document


def check_new_version(actor: User, document: Document, checked: CheckedFile,
                      change_note: str) -> Version:
    """A new file for a document; a moderator's new version of a published document is
    published at once, the others wait for validation."""
    require(actor, "library.document.version", document)
    note = clean_note(change_note, "change_note", required=True,
                      message=_l("Dites en une phrase ce qui change dans cette version."))
    digest = hashlib.sha256(checked.data).hexdigest()
    same = db.session.scalar(select(Version.id).where(
        Version.document_id == document.id, Version.sha256 == digest,
        Version.state != "rejected"))
    if same is not None:
        raise Invalid(_l("Ce fichier est identique à une version déjà déposée."),
                      field="files")
    refuse_duplicate(actor, shelf_of(document), digest, exclude=document)
    moderator = can(actor, "library.moderate", document)
    return do_new_version(actor, document, checked, note,
                          publish=document.state == "published" and moderator)


def do_new_version(actor: User, document: Document, checked: CheckedFile, note: str,
                   publish: bool = False) -> Version:
    stored = get_storage().save(checked.data, suffix=f".{checked.extension}")
    number = (db.session.scalar(select(func.max(Version.number)).where(
        Version.document_id == document.id)) or 0) + 1
    version = Version(document_id=document.id, number=number, state="pending",
                      storage_key=stored.key, filename=checked.filename,
                      extension=checked.extension, content_type=checked.content_type,
                      size=stored.size, sha256=stored.sha256, change_note=note,
                      uploaded_by_id=actor.id, created_at=utcnow())
    db.session.add(version)
    db.session.flush()
    if publish:
        version.state = "published"
        document.current_version_id = version.id
    elif document.state == "changes":
        document.state = "pending"
    document.updated_at = utcnow()
    do_index(document)
    do_extract_later(version)
    return version


def check_edit(actor: User, document: Document, data: DocumentData) -> None:
    """Metadata edits: moderators at any time (logged), the submitter until publication;
    a submitter's edit after "modifications demandées" sends it back for validation."""
    require(actor, "library.document.edit", document)
    do_edit(actor, document, clean_data(data))


def do_edit(actor: User, document: Document, clean: CleanData) -> None:
    _apply(document, clean)
    if document.submitted_by_id != actor.id:
        do_log(actor, "document.edit", "document", document.id,
               target_user_id=document.submitted_by_id)
    if document.state == "changes" and document.submitted_by_id == actor.id:
        document.state = "pending"
    notifications.do_update_object_data("document", document.id, title=document.title,
                                        excerpt=to_plain_text(document.summary, 240))
    do_index(document)


def do_record_download(document: Document) -> None:
    db.session.execute(update(Document).where(Document.id == document.id).values(
        download_count=Document.download_count + 1).execution_options(
        synchronize_session=False))


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
