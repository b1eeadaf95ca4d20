"""What a document's page shows its reader, decided once here rather than in the view
or the template: versions and comments they may see, which comments they may delete,
whether they moderate it or file it in collections."""

from __future__ import annotations

from dataclasses import dataclass

from ...accounts.models import User
from ...paths import path_for
from ...permissions import can
from ..models import Collection, Document, DocumentComment, Version
from .access import CommentAccess
from .queries import related
from .reads import collections, comments, document_collections, versions_for


@dataclass
class DocumentPage:
    document: Document
    versions: list[Version]
    comments: list[DocumentComment]
    related: list[Document]
    in_collections: list[Collection]
    all_collections: list[Collection]  # where a collection manager may file it, else []
    moderator: bool
    deletable: set[int]  # ids of the comments the reader may delete


def document_url(document: Document) -> str:
    return path_for("library.document", document_id=document.id)


def document_page(actor: User, document: Document) -> DocumentPage:
    """A document its reader may see (`access_document`), with what surrounds it."""
    shown = comments(actor, document) if document.is_published else []
    manage = can(actor, "library.collections.manage") and document.owner_type is None
    return DocumentPage(
        document=document, versions=versions_for(actor, document), comments=shown,
        related=related(actor, document), in_collections=document_collections(document),
        all_collections=[c for c, _n in collections(actor)] if manage else [],
        moderator=can(actor, "library.moderate", document),
        deletable={c.id for c in shown
                   if can(actor, "library.comment.delete", CommentAccess(c, document))})
