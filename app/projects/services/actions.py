"""The project's to-do list: actions with an owner (a member) and a due date, changed by
any member, each change sent live to the project's open pages."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...db import utcnow, valid_id
from ...errors import Invalid
from ...extensions import db
from ...notifications import services as notifications
from ...paths import path_for
from ...permissions import require
from ...realtime import publish
from ..access import ProjectAccess
from ..models import ACTION_STATUSES, Project, ProjectAction, ProjectMember
from .access import access_action
from .common import ACTION_TITLE_MAX, clean_line, project_room


def _check_owner(project: Project, owner_id: int | None) -> int | None:
    if owner_id is None:
        return None
    if not valid_id(owner_id) or db.session.get(ProjectMember, (project.id, owner_id)) is None:
        raise Invalid(_l("La personne responsable doit être membre du projet."), field="owner_id")
    return owner_id


def _check_status(status: str) -> None:
    if status not in ACTION_STATUSES:
        raise Invalid(_l("Statut inconnu."), field="status")


def _check_action(title: str, status: str) -> str:
    title = clean_line(title, ACTION_TITLE_MAX, "title", required=True,
                       missing=_l("Décrivez l'action en quelques mots."))
    _check_status(status)
    return title


def _notify_owner(actor: User, project: Project, action: ProjectAction) -> None:
    if action.owner_id is None:
        return
    notifications.do_notify(
        action.owner_id, "project", actor, "project_action", action.id,
        url=path_for("projects.actions", project_id=project.id, _anchor=f"action-{action.id}"),
        text=str(_l("%(name)s vous a confié une action dans « %(project)s » : %(title)s",
                    name=actor.display_name, project=project.title, title=action.title)))


def _publish_action(project_id: int, action_id: int, op: str) -> None:
    publish(project_room(project_id), "project:action",
            {"type": "action", "op": op, "project_id": project_id, "action_id": action_id})


def check_create_action(actor: User, access: ProjectAccess, *, title: str,
                        owner_id: int | None = None, due_on: date | None = None,
                        status: str = "todo") -> ProjectAction:
    require(actor, "project.contribute", access)
    title = _check_action(title, status)
    owner_id = _check_owner(access.project, owner_id)
    return do_create_action(actor, access.project, title=title, owner_id=owner_id,
                            due_on=due_on, status=status)


def do_create_action(actor: User, project: Project, *, title: str, owner_id: int | None,
                     due_on: date | None, status: str) -> ProjectAction:
    now = utcnow()
    action = ProjectAction(project_id=project.id, title=title, owner_id=owner_id, due_on=due_on,
                           status=status, created_by_id=actor.id, created_at=now, updated_at=now)
    db.session.add(action)
    db.session.flush()
    _notify_owner(actor, project, action)
    _publish_action(project.id, action.id, "add")
    return action


def check_update_action(actor: User, access: ProjectAccess, action_id: int, *, title: str,
                        owner_id: int | None, due_on: date | None,
                        status: str) -> ProjectAction:
    require(actor, "project.contribute", access)
    action = access_action(actor, access, action_id)
    title = _check_action(title, status)
    owner_id = _check_owner(access.project, owner_id)
    return do_update_action(actor, access.project, action, title=title, owner_id=owner_id,
                            due_on=due_on, status=status)


def do_update_action(actor: User, project: Project, action: ProjectAction, *, title: str,
                     owner_id: int | None, due_on: date | None, status: str) -> ProjectAction:
    """A new owner hears of it; the previous one does not need to."""
    new_owner = owner_id != action.owner_id
    action.title, action.owner_id, action.due_on, action.status = title, owner_id, due_on, status
    action.updated_at = utcnow()
    if new_owner:
        _notify_owner(actor, project, action)
    _publish_action(project.id, action.id, "update")
    return action


def check_set_action_status(actor: User, access: ProjectAccess, action_id: int,
                            status: str) -> ProjectAction:
    require(actor, "project.contribute", access)
    action = access_action(actor, access, action_id)
    _check_status(status)
    if action.status != status:
        do_set_action_status(action, status)
    return action


def do_set_action_status(action: ProjectAction, status: str) -> None:
    action.status, action.updated_at = status, utcnow()
    _publish_action(action.project_id, action.id, "update")


def check_delete_action(actor: User, access: ProjectAccess, action_id: int) -> None:
    require(actor, "project.contribute", access)
    do_delete_action(access_action(actor, access, action_id))


def do_delete_action(action: ProjectAction) -> None:
    project_id, action_id = action.project_id, action.id
    db.session.delete(action)
    _publish_action(project_id, action_id, "remove")
