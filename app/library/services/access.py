"""Who may see what of the library: shelves, documents, versions, collections, comments.

A document a reader may not see is NotFound, as if it did not exist, so a private shelf
never reveals what it holds. The query helpers shared by the reads and the writes live
here too, so that every module loads a document the same way (eagerly, one query).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import selectinload

from ...accounts.models import User
from ...errors import NotFound
from ...extensions import db
from ...permissions import can, require
from ..models import Collection, Document, DocumentComment, Version, document_terms


@dataclass(frozen=True)
class Shelf:
    """Whose documents: the main library (owner_type None) or an owner's shelf."""

    owner_type: str | None = None
    owner_id: int | None = None


MAIN = Shelf()


@dataclass(frozen=True)
class CommentAccess:
    comment: DocumentComment
    document: Document


def shelf_of(document: Document) -> Shelf:
    return Shelf(document.owner_type, document.owner_id)


def shelf_clause(shelf_: Shelf) -> ColumnElement[bool]:
    if shelf_.owner_type is None:  # both columns, so that the shelf index serves it
        return Document.owner_type.is_(None) & Document.owner_id.is_(None)
    return (Document.owner_type == shelf_.owner_type) & (Document.owner_id == shelf_.owner_id)


def document_query() -> Select:
    return select(Document).options(
        selectinload(Document.tags), selectinload(Document.document_type),
        selectinload(Document.submitted_by))


def term_ids(document: Document) -> Select:
    """The ids of a document's tags, as a subquery."""
    return select(document_terms.c.term_id).where(document_terms.c.document_id == document.id)


def access_shelf(actor: User, owner_type: str | None = None,
                 owner_id: int | None = None) -> Shelf:
    shelf_ = Shelf(owner_type, owner_id) if owner_type else MAIN
    require(actor, "library.view", shelf_, hide=True)
    return shelf_


def access_document(actor: User, document_id: int) -> Document:
    """A document its reader may see; anything else is NotFound, as if it did not exist."""
    document = db.session.scalar(document_query().where(Document.id == document_id))
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
    documents = db.session.scalars(document_query().where(Document.id.in_(ids)))
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


def access_collection(actor: User, collection_id: int) -> Collection:
    require(actor, "library.view", MAIN, hide=True)
    collection = db.session.get(Collection, collection_id)
    if collection is None:
        raise NotFound()
    return collection


def access_comment(actor: User, comment_id: int) -> CommentAccess:
    comment = db.session.get(DocumentComment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise NotFound()
    return CommentAccess(comment, access_document(actor, comment.document_id))
