"""The moderators' decisions on a shelf's documents and versions, and the proposal of a
shelf's document to the main library.

Every decision goes to the platform's moderation log and tells the submitter; a
publication reaches the news feed. Nothing is deleted: refused and unpublished documents
and versions are kept.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...moderation.log import do_log
from ...notifications import services as notifications
from ...permissions import require
from ...sanitize import to_plain_text
from ...taxonomy import TaxonomyTerm
from ..models import Document, Version
from .access import MAIN, term_ids
from .indexing import do_index
from .pages import document_url
from .validation import STATE_LABELS, clean_note, refuse_duplicate


def _require_state(document: Document, *states: str) -> None:
    if document.state not in states:
        raise Invalid(_l("Ce document n'est pas dans un état qui permet cette décision "
                         "(%(state)s).", state=STATE_LABELS[document.state]))


def _decided(actor: User, document: Document, action: str, text: str, note: str = "") -> None:
    do_log(actor, action, "document", document.id, target_user_id=document.submitted_by_id,
           reason=note, title=document.title)
    document.decision_note = note
    document.decided_by_id, document.decided_at = actor.id, utcnow()
    if document.submitted_by_id:
        notifications.do_notify(document.submitted_by_id, "moderation", actor, "document",
                                document.id, url=document_url(document), text=str(text))


# Documents ----------------------------------------------------------------------------------

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
            "url": document_url(document)}
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
    note = clean_note(message, "message", required=True,
                      message=_l("Dites au déposant ce qu'il faut modifier."))
    do_request_changes(actor, document, note)


def do_request_changes(actor: User, document: Document, note: str) -> None:
    document.state = "changes"
    _decided(actor, document, "document.request_changes",
             _l("Des modifications sont demandées sur « %(title)s » : %(note)s",
                title=document.title, note=note), note)


def check_reject(actor: User, document: Document, reason: str) -> None:
    require(actor, "library.moderate", document)
    _require_state(document, "pending", "changes")
    note = clean_note(reason, "reason", required=True,
                      message=_l("Indiquez le motif du refus."))
    do_reject(actor, document, note)


def do_reject(actor: User, document: Document, note: str) -> None:
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
    note = clean_note(reason, "reason", required=True,
                      message=_l("Indiquez pourquoi le document est dépublié."))
    do_unpublish(actor, document, note)


def do_unpublish(actor: User, document: Document, note: str) -> None:
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
    do_republish(actor, document)


def do_republish(actor: User, document: Document) -> None:
    document.state = "published"
    notifications.do_set_object_hidden("document", document.id, False)
    _decided(actor, document, "document.republish",
             _l("Votre document « %(title)s » est de nouveau publié.", title=document.title))
    do_index(document)


# Versions -----------------------------------------------------------------------------------

def _require_pending_version(version: Version) -> None:
    if version.state != "pending" or version.document.state != "published":
        raise Invalid(_l("Cette version n'attend pas de validation."))


def check_approve_version(actor: User, version: Version) -> None:
    require(actor, "library.moderate", version.document)
    _require_pending_version(version)
    do_approve_version(actor, version)


def do_approve_version(actor: User, version: Version) -> None:
    """Publish a version; it becomes the current one unless a newer one is published."""
    document = version.document
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
            url=document_url(document),
            text=str(_l("La version %(n)d de « %(title)s » est publiée.", n=version.number,
                        title=document.title)))
    do_index(document)


def check_reject_version(actor: User, version: Version, reason: str) -> None:
    require(actor, "library.moderate", version.document)
    _require_pending_version(version)
    note = clean_note(reason, "reason", required=True,
                      message=_l("Indiquez le motif du refus."))
    do_reject_version(actor, version, note)


def do_reject_version(actor: User, version: Version, note: str) -> None:
    document = version.document
    version.state, version.decision_note = "rejected", note
    do_log(actor, "document.version_reject", "document", document.id,
           target_user_id=version.uploaded_by_id, reason=note, version=version.number)
    if version.uploaded_by_id:
        notifications.do_notify(
            version.uploaded_by_id, "moderation", actor, "document", document.id,
            url=document_url(document),
            text=str(_l("La version %(n)d de « %(title)s » n'a pas été retenue : %(note)s",
                        n=version.number, title=document.title, note=note)))
    do_index(document)


# Proposal to the main library ---------------------------------------------------------------

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
    refuse_duplicate(actor, MAIN, source.sha256)
    return do_propose_to_main_library(actor, document, source)


def do_propose_to_main_library(actor: User, document: Document, source: Version) -> Document:
    """A pending copy of `document` in the main library, `source` as its first version."""
    now = utcnow()
    copy = Document(owner_type=None, owner_id=None, state="pending",
                    submitted_by_id=actor.id, created_at=now, proposed_from_id=document.id,
                    title=document.title, summary=document.summary,
                    authors=document.authors, year=document.year,
                    document_type_id=document.document_type_id,
                    language=document.language, licence=document.licence,
                    keywords=document.keywords, updated_at=now,
                    tags=list(db.session.scalars(select(TaxonomyTerm).where(
                        TaxonomyTerm.id.in_(term_ids(document))))))
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
