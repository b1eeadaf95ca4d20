"""Who is in a project, and the doors in and out: joining (by request or by a lead's
invitation), leaving, being removed, sharing or handing over the lead. Membership is what
the project's channel, wall, agenda entries and news follow, so every change of it goes
through do_add_member / do_remove_member."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import User
from ...chat import services as chat
from ...db import utcnow, valid_id
from ...errors import Invalid, NotFound
from ...extensions import db
from ...moderation.log import do_log
from ...notifications import services as notifications
from ...paths import path_for
from ...permissions import require
from ...realtime import leave_room_after_commit, publish, user_room
from ...walls import services as walls
from ..access import ProjectAccess
from ..models import JoinRequest, Project, ProjectMember
from .common import INVITE_MAX, MESSAGE_MAX, clean_text, project_path, project_room
from .meetings import do_sync_agenda
from .queries import lead_ids


def do_record_news(verb: str, actor: User | None, project: Project, object_type: str,
                   object_id: int, title: str, url: str | None = None) -> None:
    """Project news: in the feed of the members, who follow the project (see do_add_member)."""
    notifications.do_record_activity(
        verb, actor, object_type, object_id, context_type="project", context_id=project.id,
        data={"title": title, "excerpt": project.pitch, "url": url or project_path(project),
              "context_name": project.title})


def do_add_member(project: Project, user: User, *, role: str = "member", by: User | None = None,
                  announce: bool = True) -> ProjectMember | None:
    """Make `user` a member: the project's chat channel, its wall and its news follow."""
    if db.session.get(ProjectMember, (project.id, user.id)) is not None:
        return None
    membership = ProjectMember(project_id=project.id, user_id=user.id, role=role,
                               joined_at=utcnow())
    db.session.add(membership)
    pending = db.session.scalar(select(JoinRequest).where(
        JoinRequest.project_id == project.id, JoinRequest.user_id == user.id))
    if pending is not None:
        db.session.delete(pending)
    db.session.flush()
    channel = chat.owned_channel("project", project.id)
    if channel is not None:
        chat.do_add_member(channel, user)
    notifications.do_follow(user, "project", project.id)
    if project.wall_id:
        notifications.do_follow(user, "wall", project.wall_id)
    do_sync_agenda(project)
    if announce:
        do_record_news("project.member_joined", user, project, "project_member", user.id,
                       str(_l("%(name)s rejoint le projet", name=user.display_name)))
        if by is not None and by.id != user.id:
            notifications.do_notify(
                user.id, "project", by, "project", project.id, url=project_path(project),
                text=str(_l("%(name)s vous a ajouté·e au projet « %(title)s »",
                            name=by.display_name, title=project.title)))
        publish(project_room(project.id), "project:member",
                {"type": "member", "op": "add", "project_id": project.id, "user_id": user.id})
    publish(user_room(user.id), "project:membership",
            {"type": "project", "op": "joined", "project_id": project.id})
    return membership


def do_remove_member(project: Project, user_id: int) -> bool:
    """Access ends at once: chat channel left (its sockets leave the room), the project's
    and wall's rooms left, its news no longer followed (nor, for a private project, the
    posts of its wall the member wrote or commented)."""
    membership = db.session.get(ProjectMember, (project.id, user_id))
    if membership is None:
        return False
    db.session.delete(membership)
    db.session.flush()
    channel = chat.owned_channel("project", project.id)
    if channel is not None:
        chat.do_remove_member(channel, user_id)
    user = db.session.get(User, user_id)
    notifications.do_unfollow(user, "project", project.id)
    if project.wall_id:
        notifications.do_unfollow(user, "wall", project.wall_id)
    do_sync_agenda(project)
    if project.is_private:
        # An open project stays readable: its live events may still reach this member.
        leave_room_after_commit(user_id, project_room(project.id))
        if project.wall_id:
            leave_room_after_commit(user_id, f"wall:{project.wall_id}")
            walls.do_unfollow_posts(user, project.wall_id)
    publish(project_room(project.id), "project:member",
            {"type": "member", "op": "remove", "project_id": project.id, "user_id": user_id})
    publish(user_room(user_id), "project:membership",
            {"type": "project", "op": "left", "project_id": project.id})
    return True


def _lead_count(project_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ProjectMember).where(
        ProjectMember.project_id == project_id, ProjectMember.role == "lead"))


def _keep_a_lead(project_id: int, leaving: ProjectMember) -> None:
    if leaving.role == "lead" and _lead_count(project_id) <= 1:
        raise Invalid(_l("Un projet garde toujours au moins un·e porteur·se : confiez d'abord "
                         "le portage à un autre membre."), field="role")


def _membership(access: ProjectAccess, user_id: int) -> ProjectMember:
    membership = db.session.get(ProjectMember, (access.project.id, user_id)) \
        if valid_id(user_id) else None
    if membership is None:
        raise NotFound()
    return membership


# Joining ------------------------------------------------------------------------------------

def check_request_join(actor: User, access: ProjectAccess, message: str = "") -> JoinRequest:
    require(actor, "project.request_join", access)
    message = clean_text(message, MESSAGE_MAX, "message")
    existing = db.session.scalar(select(JoinRequest).where(
        JoinRequest.project_id == access.project.id, JoinRequest.user_id == actor.id))
    if existing is not None:
        raise Invalid(_l("Votre demande est déjà envoyée : un·e porteur·se va y répondre."),
                      field="message")
    return do_request_join(actor, access.project, message)


def do_request_join(actor: User, project: Project, message: str) -> JoinRequest:
    """The request, and a notification to each lead."""
    request = JoinRequest(project_id=project.id, user_id=actor.id, message=message,
                          created_at=utcnow())
    db.session.add(request)
    db.session.flush()
    notifications.do_notify_many(
        lead_ids(project.id), "project", actor, "project", project.id,
        url=path_for("projects.members", project_id=project.id),
        text=str(_l("%(name)s demande à rejoindre le projet « %(title)s »",
                    name=actor.display_name, title=project.title)))
    return request


def check_cancel_request(actor: User, access: ProjectAccess) -> None:
    request = db.session.scalar(select(JoinRequest).where(
        JoinRequest.project_id == access.project.id, JoinRequest.user_id == actor.id))
    if request is None:
        raise NotFound()
    do_cancel_request(request)


def do_cancel_request(request: JoinRequest) -> None:
    db.session.delete(request)


def check_decide_request(actor: User, access: ProjectAccess, request_id: int,
                         accept: bool) -> User:
    """Accepting makes a member (unless the account was closed meanwhile: then the request
    is declined like any other)."""
    require(actor, "project.manage_members", access)
    request = db.session.get(JoinRequest, request_id) if valid_id(request_id) else None
    if request is None or request.project_id != access.project.id:
        raise NotFound()
    user = db.session.get(User, request.user_id)
    if accept and user.is_active:
        do_add_member(access.project, user, by=actor)
    else:
        do_decline_request(actor, access.project, request, user)
    return user


def do_decline_request(actor: User, project: Project, request: JoinRequest,
                       user: User) -> None:
    db.session.delete(request)
    notifications.do_notify(
        user.id, "project", actor, "project", project.id, url=project_path(project),
        text=str(_l("Votre demande pour rejoindre « %(title)s » n'a pas été retenue.",
                    title=project.title)))


def check_invite(actor: User, access: ProjectAccess, user_ids: list[int]) -> list[User]:
    """Leads add members directly (the network is a closed group; anyone may leave)."""
    require(actor, "project.manage_members", access)
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        raise Invalid(_l("Choisissez au moins un membre."), field="members")
    if len(ids) > INVITE_MAX or not all(valid_id(i) for i in ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    users = list(db.session.scalars(select(User).where(User.id.in_(ids),
                                                       User.status == "active")))
    if len(users) != len(ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    return [u for u in users if do_add_member(access.project, u, by=actor) is not None]


# Leaving ------------------------------------------------------------------------------------

def check_leave(actor: User, access: ProjectAccess) -> None:
    require(actor, "project.leave", access)
    _keep_a_lead(access.project.id, access.membership)
    do_remove_member(access.project, actor.id)
    access.membership = None


def check_remove_member(actor: User, access: ProjectAccess, user_id: int) -> None:
    require(actor, "project.manage_members", access)
    membership = _membership(access, user_id)
    _keep_a_lead(access.project.id, membership)
    do_remove_member_by_lead(actor, access.project, user_id)


def do_remove_member_by_lead(actor: User, project: Project, user_id: int) -> None:
    """As a departure, plus the moderation log and a word to the member removed."""
    do_remove_member(project, user_id)
    do_log(actor, "project.remove_member", "project", project.id, target_user_id=user_id)
    notifications.do_notify(
        user_id, "project", actor, "project", project.id, url=path_for("projects.index"),
        text=str(_l("Vous ne faites plus partie du projet « %(title)s »", title=project.title)))


# Leading ------------------------------------------------------------------------------------

def check_set_role(actor: User, access: ProjectAccess, user_id: int, role: str) -> None:
    """Share leadership (make another member lead) or step down (a lead stays)."""
    require(actor, "project.manage_members", access)
    if role not in ("lead", "member"):
        raise Invalid(_l("Rôle inconnu."), field="role")
    membership = _membership(access, user_id)
    if membership.role == role:
        return
    if role == "member":
        _keep_a_lead(access.project.id, membership)
    do_set_role(actor, access.project, membership, role)


def do_set_role(actor: User, project: Project, membership: ProjectMember, role: str) -> None:
    membership.role = role
    if role == "lead" and membership.user_id != actor.id:
        notifications.do_notify(
            membership.user_id, "project", actor, "project", project.id,
            url=project_path(project),
            text=str(_l("%(name)s vous a confié le portage du projet « %(title)s »",
                        name=actor.display_name, title=project.title)))
    publish(project_room(project.id), "project:member",
            {"type": "member", "op": "update", "project_id": project.id,
             "user_id": membership.user_id})


def check_change_member(actor: User, access: ProjectAccess, user_id: int, action: str,
                        role: str = "") -> None:
    """The members tab's one form per member: hand the lead over, remove the member, or
    give them `role`."""
    if action == "transfer":
        check_transfer(actor, access, user_id)
    elif action == "remove":
        check_remove_member(actor, access, user_id)
    else:
        check_set_role(actor, access, user_id, role)


def check_transfer(actor: User, access: ProjectAccess, user_id: int) -> None:
    """Hand over: the other member becomes lead, the actor an ordinary member."""
    if user_id == actor.id:
        raise Invalid(_l("Choisissez un autre membre."), field="role")
    check_set_role(actor, access, user_id, "lead")
    check_set_role(actor, access, actor.id, "member")
    access.membership = db.session.get(ProjectMember, (access.project.id, actor.id))
