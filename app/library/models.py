"""Tables of the library feature.

A document belongs to the network's main library (owner_type None) or to another feature's
shelf (owner_type, owner_id), e.g. ("project", 12); the owner then decides who reads,
submits and moderates (app/permissions.py, OWNER_RULES).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db
from ..taxonomy import TaxonomyTerm
from . import fts

# pending: waiting for a moderator; changes: the moderator asked the submitter for changes;
# published: in the library; rejected: refused (kept); unpublished: withdrawn (kept).
DOCUMENT_STATES = ("pending", "changes", "published", "rejected", "unpublished")
VERSION_STATES = ("pending", "published", "rejected")
# Text extraction of a version: queued, done, nothing to extract, or failed (file kept).
TEXT_STATES = ("queued", "done", "none", "failed")

document_terms = Table(
    "library_document_terms",
    db.metadata,
    Column("document_id", ForeignKey("library_documents.id", ondelete="CASCADE"),
           primary_key=True),
    Column("term_id", ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Document(db.Model):
    __tablename__ = "library_documents"
    __table_args__ = (
        # A shelf's published documents, newest first (the library's first page).
        Index("ix_library_documents_shelf", "owner_type", "owner_id", "state",
              "published_at", "id"),
        CheckConstraint(
            "state IN ('pending', 'changes', 'published', 'rejected', 'unpublished')",
            name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[str] = mapped_column(String(300), default="")
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    document_type_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_terms.id"), index=True)
    language: Mapped[str] = mapped_column(String(10), default="fr")
    licence: Mapped[str] = mapped_column(String(20), default="tous-droits")
    keywords: Mapped[str] = mapped_column(String(500), default="")
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Filed on someone's behalf without naming them (an anonymised co-development record):
    # readers and the feed never see who submitted it; the submitter still follows it.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The last decision's message (changes asked, rejection reason, unpublication reason),
    # shown to the submitter; the full history is the moderation log.
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    download_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    # The published version readers get; services keep it on a version of this document.
    # Documents and versions reference each other: this side of the cycle is added after
    # both tables exist (use_alter) and lets go of a deleted version (SET NULL), so the
    # tables can be dropped or emptied in any order with foreign keys enforced.
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey(
        "library_versions.id", ondelete="SET NULL", use_alter=True,
        name="fk_library_documents_current_version_id_library_versions"))
    # A shelf document proposed to the main library points at its original.
    proposed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("library_documents.id", ondelete="SET NULL"), index=True)

    document_type: Mapped[TaxonomyTerm] = relationship(lazy="raise")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id],
                                                     lazy="raise")
    tags: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=document_terms, lazy="raise", order_by=TaxonomyTerm.position)
    versions: Mapped[list[Version]] = relationship(
        back_populates="document", lazy="raise", order_by="Version.number.desc()",
        foreign_keys="Version.document_id")

    @property
    def is_published(self) -> bool:
        return self.state == "published"

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    def tags_of(self, vocabulary: str) -> list[TaxonomyTerm]:
        return [t for t in self.tags if t.vocabulary == vocabulary]


class Version(db.Model):
    """One uploaded file of a document. The user's file name is metadata only: the bytes
    live under a generated storage key."""

    __tablename__ = "library_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_library_versions_document"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("library_documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    storage_key: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    extension: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    change_note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    text_state: Mapped[str] = mapped_column(String(10), default="queued")
    text: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="versions", lazy="raise",
                                              foreign_keys=[document_id])
    uploaded_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def previewable(self) -> bool:
        return self.extension in ("pdf", "png", "jpg", "webp")


class Collection(db.Model):
    """A "dossier thématique": documents chosen and ordered by moderators."""

    __tablename__ = "library_collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="collection", lazy="raise", order_by="CollectionItem.position",
        cascade="all, delete-orphan")


class CollectionItem(db.Model):
    __tablename__ = "library_collection_items"
    __table_args__ = (
        UniqueConstraint("collection_id", "document_id",
                         name="uq_library_collection_items_collection"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("library_collections.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("library_documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    collection: Mapped[Collection] = relationship(back_populates="items", lazy="raise")
    document: Mapped[Document] = relationship(lazy="raise")


class DocumentComment(db.Model):
    __tablename__ = "library_comments"
    __table_args__ = (Index("ix_library_comments_document", "document_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("library_documents.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_reason: Mapped[str | None] = mapped_column(Text)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")


class SearchEntry(db.Model):
    """The searchable text of one published document, already folded and stemmed
    (app/library/fts.py); documents leave the index when they leave publication.

    `scope` names the document's shelf so that the full-text index alone answers "which
    published documents of this shelf match". SQLite indexes the row with an FTS5 table
    kept in step by triggers; PostgreSQL with a GIN index over `vector`, the tsvector the
    services compute from the same stemmed text (left empty on SQLite).
    """

    __tablename__ = "library_search"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("library_documents.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(60), default=fts.MAIN_SCOPE)
    title: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    vector: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"))
    head: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    # The facet values this document adds to its shelf's FacetCount rows ("all",
    # "term:<id>", "year:<n>"), so that re-indexing applies only the difference.
    facets: Mapped[str] = mapped_column(Text, default="")


class FacetCount(db.Model):
    """Published documents per shelf and facet value, kept by the services as documents
    enter, change in and leave the index: the library's first page, the most visited,
    shows its facets without counting thousands of rows."""

    __tablename__ = "library_facet_counts"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    facet: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


fts.install(SearchEntry.__table__)
