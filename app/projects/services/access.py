"""Loading a project, or a meeting, action or document inside it, as one member may see it:
every page and every write starts here, so a private project of others is the same
NotFound wherever it is asked for."""

from __future__ import annotations

from ...accounts.models import User
from ...db import valid_id
from ...errors import NotFound
from ...extensions import db
from ...library import services as library
from ...permissions import require
from ..access import MeetingAccess, ProjectAccess, load_access
from ..models import Meeting, ProjectAction


def access_project(actor: User, project_id: int) -> ProjectAccess:
    """The project if `actor` may read it; a private project of others is NotFound."""
    access = load_access(actor, project_id) if valid_id(project_id) else None
    if access is None:
        raise NotFound()
    require(actor, "project.view", access, hide=True)
    return access


def access_meeting(actor: User, access: ProjectAccess, meeting_id: int) -> MeetingAccess:
    meeting = db.session.get(Meeting, meeting_id) if valid_id(meeting_id) else None
    if meeting is None or meeting.project_id != access.project.id:
        raise NotFound()
    return MeetingAccess(meeting, access)


def access_project_meeting(actor: User, project_id: int, meeting_id: int) -> MeetingAccess:
    """A meeting reached through its project's address: the project's rule first."""
    return access_meeting(actor, access_project(actor, project_id), meeting_id)


def access_action(actor: User, access: ProjectAccess, action_id: int) -> ProjectAction:
    action = db.session.get(ProjectAction, action_id) if valid_id(action_id) else None
    if action is None or action.project_id != access.project.id:
        raise NotFound()
    return action


def access_shelf_document(actor: User, access: ProjectAccess,
                          document_id: int) -> library.Document:
    """A document of this project's shelf, as the library lets `actor` see it."""
    if not valid_id(document_id):
        raise NotFound()
    document = library.access_document(actor, document_id)
    if (document.owner_type, document.owner_id) != ("project", access.project.id):
        raise NotFound()
    return document
