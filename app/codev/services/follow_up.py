"""After the session: its compte rendu (app/codev/record.py writes the Markdown), shared
with the network through the library, and the client's action plan turned into actions of
a project space they lead."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...errors import Invalid, NotFound
from ...extensions import db
from ...library import services as library
from ...permissions import can, require
from ...projects import services as projects
from .. import clock, record
from ..models import CodevContribution, CodevRecord, CodevSession
from .access import access_record
from .queries import action_items, contributions, participants


def do_generate_record(session: CodevSession) -> CodevRecord:
    """Write the compte rendu from what the group produced (run once, at the end)."""
    people = participants(session)
    items = contributions(session)
    row = db.session.get(CodevRecord, session.id)
    if row is None:
        row = CodevRecord(session_id=session.id)
        db.session.add(row)
    row.body = record.render(session, people, items, anonymised=False)
    row.anonymised_body = record.render(session, people, items, anonymised=True)
    row.generated_at = clock.now()
    db.session.flush()
    return row


def check_publish_record(actor: User, session_id: int) -> CodevRecord:
    """The client shares the anonymised record with the network (once)."""
    access, row = access_record(actor, session_id)
    require(actor, "codev.record.publish", access)
    if row.published_at is not None:
        raise Invalid(_l("Ce compte rendu a déjà été proposé à la bibliothèque."))
    return do_publish_record(actor, access.session, row)


def do_publish_record(actor: User, session: CodevSession, row: CodevRecord) -> CodevRecord:
    """The anonymised record goes to the library as a submission, through the library's
    moderation like any other. It is filed as anonymous (the library names no submitter)
    under a title scrubbed of names, or the client of an "anonymised" record would be known
    to every reader."""
    scrub = record.scrubber(participants(session))
    document = library.do_submit_generated(
        actor, f"compte-rendu-codeveloppement-{session.id}.md",
        row.anonymised_body.encode("utf-8"),
        library.DocumentData(
            title=str(_l("Codéveloppement : %(subject)s", subject=scrub(session.subject))),
            summary=str(_l("Compte rendu anonymisé d'une session de codéveloppement : demande, "
                           "suggestions retenues, plan d'action et apprentissages.")),
            year=session.scheduled_at.year, document_type="compte-rendu"),
        anonymous=True)
    row.published_at = clock.now()
    row.published_ref = f"library:{document.id}"
    return row


def check_export_actions(actor: User, session_id: int, project_id: int,
                         item_ids: list[int] | None = None) -> int:
    """Turn items of the client's action plan (`item_ids`; None: all of them) into actions
    of a project they lead (owner: them). Returns how many actions were created."""
    access, _row = access_record(actor, session_id)
    require(actor, "codev.action.export", access)
    project = projects.access_project(actor, project_id)
    if not can(actor, "project.edit", project):
        raise Invalid(_l("Choisissez un projet dont vous êtes responsable."), field="project_id")
    items = action_items(access.session)
    if item_ids is not None:
        wanted = set(item_ids)
        if not wanted:
            raise Invalid(_l("Cochez au moins une action du plan."), field="items")
        if not wanted <= {item.id for item in items}:
            raise NotFound()
        items = [item for item in items if item.id in wanted]
    return do_export_actions(actor, project, items)


def do_export_actions(actor: User, project: projects.ProjectAccess,
                      items: list[CodevContribution]) -> int:
    """Each item becomes an action of the project and remembers it, so exporting again
    creates nothing twice. The project's own service creates the action (checking the
    actor may contribute there)."""
    created = 0
    for item in items:
        if item.exported_action_id is not None:
            continue
        action = projects.check_create_action(
            actor, project, title=" ".join(item.body.split())[:projects.ACTION_TITLE_MAX],
            owner_id=actor.id)
        item.exported_action_id = action.id
        created += 1
    db.session.flush()
    return created
