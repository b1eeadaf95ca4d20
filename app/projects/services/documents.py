"""The project's shelf of the library: the library keeps the documents and their moderation;
the project decides who moderates (its leads) and tells them what waits for them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...errors import Invalid
from ...library import services as library
from ...notifications import services as notifications
from ...paths import path_for
from ...permissions import can
from ...uploads import CheckedFile
from ..access import ProjectAccess
from ..models import Project
from .queries import lead_ids


def check_submit_documents(actor: User, access: ProjectAccess, files: list[CheckedFile],
                           data: library.DocumentData) -> list[library.Document]:
    """Members' uploads wait for a lead; a lead's are published at once (they would only
    have to approve them themselves)."""
    project = access.project
    documents = library.check_submit(actor, "project", project.id, files, data)
    if can(actor, "library.moderate", library.Shelf("project", project.id)):
        for document in documents:
            library.check_approve(actor, document)
    else:
        do_ask_leads_to_review(actor, project, documents)
    return documents


def do_ask_leads_to_review(actor: User, project: Project,
                           documents: list[library.Document]) -> None:
    url = path_for("projects.documents", project_id=project.id, _anchor="a-valider")
    leads = lead_ids(project.id)
    for document in documents:
        notifications.do_notify_many(
            leads, "project", actor, "document", document.id, url=url,
            text=str(_l("%(name)s a déposé « %(title)s » dans « %(project)s » : à valider",
                        name=actor.display_name, title=document.title,
                        project=project.title)))


def check_decide_document(actor: User, access: ProjectAccess, document: library.Document,
                          decision: str, message: str = "") -> None:
    if decision == "approve":
        library.check_approve(actor, document)
    elif decision == "changes":
        library.check_request_changes(actor, document, message)
    elif decision == "reject":
        library.check_reject(actor, document, message)
    else:
        raise Invalid(_l("Décision inconnue."))


def check_propose_document(actor: User, document: library.Document) -> library.Document:
    """Into the main library's moderation queue; the network's moderators decide."""
    return library.check_propose_to_main_library(actor, document)
