"""Listings around the documents: versions, the moderation queue, a member's submissions,
collections and comments. Each is one or two queries whatever its length."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...accounts.models import User
from ...extensions import db
from ...permissions import can, require
from ..models import Collection, CollectionItem, Document, DocumentComment, Version
from .access import MAIN, access_shelf, document_query, shelf_clause


@dataclass
class QueueItem:
    document: Document
    version: Version | None  # a new version of a published document, else None


def versions_for(actor: User, document: Document) -> list[Version]:
    stmt = select(Version).where(Version.document_id == document.id).options(
        selectinload(Version.uploaded_by)).order_by(Version.number.desc())
    if not can(actor, "library.document.insider", document):
        stmt = stmt.where(Version.state == "published")
    return list(db.session.scalars(stmt))


def pending(actor: User, owner_type: str | None = None, owner_id: int | None = None,
            limit: int = 100) -> list[QueueItem]:
    """Submissions waiting for a decision, oldest first: new documents, then new versions
    of published ones."""
    shelf_ = access_shelf(actor, owner_type, owner_id)
    require(actor, "library.moderate", shelf_)
    documents = list(db.session.scalars(
        document_query().where(shelf_clause(shelf_), Document.state == "pending")
        .order_by(Document.updated_at, Document.id).limit(limit)))
    versions = list(db.session.scalars(
        select(Version).join(Document, Document.id == Version.document_id).where(
            shelf_clause(shelf_), Document.state == "published",
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
        shelf_clause(MAIN), Document.state == "pending")) or 0


def my_submissions(actor: User, limit: int = 200) -> list[Document]:
    return list(db.session.scalars(
        document_query().where(Document.submitted_by_id == actor.id)
        .order_by(Document.updated_at.desc(), Document.id.desc()).limit(limit)))


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


def document_collections(document: Document) -> list[Collection]:
    return list(db.session.scalars(
        select(Collection).join(CollectionItem, CollectionItem.collection_id == Collection.id)
        .where(CollectionItem.document_id == document.id).order_by(Collection.position)))


def comments(actor: User, document: Document) -> list[DocumentComment]:
    return list(db.session.scalars(
        select(DocumentComment).where(DocumentComment.document_id == document.id,
                                      DocumentComment.deleted_at.is_(None))
        .options(selectinload(DocumentComment.author)).order_by(DocumentComment.id)))
