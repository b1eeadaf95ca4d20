"""An event's slides and minutes: filed in the network's library, which decides as for any
submission (published at once for a library moderator, queued for review otherwise)."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...library import services as library
from ...permissions import require
from ..models import DOCUMENT_KINDS, AgendaEvent, AgendaEventDocument
from .access import access_event
from .pages import DOCUMENT_LABELS, EventDocument
from .validation import PARIS, clean_text

EVENT_DOCUMENTS_MAX = 10
# The library's document type (../shared/taxonomy.json, document_types) of each kind.
DOCUMENT_TYPES = {"slides": "webinaire", "minutes": "compte-rendu"}


def check_attach_document(actor: User, event_id: int, kind: object, filename: str,
                          content: bytes, title: object = "") -> EventDocument:
    """An organiser files the event's slides or minutes in the network's library.

    The library decides as for any submission: published at once when the organiser
    moderates the library (an animator), otherwise queued for its moderators; until
    then only the organiser and the moderators see it on the event's page.
    """
    access = access_event(actor, event_id, lock=True)
    require(actor, "agenda.event.documents", access)
    if kind not in DOCUMENT_KINDS:
        raise Invalid(_l("Choisissez s'il s'agit des supports ou du compte rendu."),
                      field="kind")
    if not content:
        raise Invalid(_l("Choisissez le fichier à déposer."), field="file")
    event = access.event
    title = clean_text(title, field="title", limit=library.TITLE_MAX) or \
        f"{DOCUMENT_LABELS[kind]} — {event.title}"[:library.TITLE_MAX]
    attached = db.session.scalar(select(func.count()).select_from(AgendaEventDocument).where(
        AgendaEventDocument.event_id == event.id)) or 0
    if attached >= EVENT_DOCUMENTS_MAX:
        raise Invalid(_l("Ce rendez-vous a déjà %(n)d documents.", n=EVENT_DOCUMENTS_MAX),
                      field="file")
    return do_attach_document(actor, event, kind, filename, content, title)


def do_attach_document(actor: User, event: AgendaEvent, kind: str, filename: str,
                       content: bytes, title: str) -> EventDocument:
    """Submit the file to the library (which checks the file itself) and link it to the
    event. The library's refusal names the form field it concerns here."""
    when = format_datetime(event.starts_at, "d MMMM yyyy")
    summary = _l("Supports présentés lors de « %(title)s » (%(when)s).", title=event.title,
                 when=when) if kind == "slides" else \
        _l("Compte rendu de « %(title)s » (%(when)s).", title=event.title, when=when)
    try:
        document = library.do_submit_generated(
            actor, filename, content, library.DocumentData(
                title=title, summary=str(summary),
                year=event.starts_at.astimezone(PARIS).year,
                document_type=DOCUMENT_TYPES[kind]))
    except Invalid as error:
        field = "title" if error.field == "title" else "file"
        raise Invalid(error.message, field=field) from error
    link = AgendaEventDocument(event_id=event.id, document_id=document.id, kind=kind,
                               added_by_id=actor.id, created_at=utcnow())
    db.session.add(link)
    db.session.flush()
    return EventDocument(link, document)
