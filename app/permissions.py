"""THE access policy: every decision of who may do what goes through `can` / `require`.

Rules are small functions keyed by an action name. Views, socket handlers and services all
ask here; nothing else compares roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import NotFound, PermissionDenied

Rule = Callable[[Any, Any], bool]


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _is_admin(user: Any, obj: Any = None) -> bool:
    return _active(user) and user.role == "admin"


def _is_moderator(user: Any, obj: Any = None) -> bool:
    return _active(user) and user.role in ("moderator", "admin")


def _is_member(user: Any, obj: Any = None) -> bool:
    return _active(user)


def _is_self(user: Any, obj: Any) -> bool:
    return _active(user) and obj is not None and obj.id == user.id


# Things owned by another feature (a project's wall, document shelf...) follow their owner:
# OWNER_RULES[owner_type](user, owner_id, capability) -> bool, where capability is "read",
# "write" or "moderate". Owner features register their rule in their section below.
OwnerRule = Callable[[Any, int, str], bool]
OWNER_RULES: dict[str, OwnerRule] = {}


def _owner_allows(user: Any, owner_type: str, owner_id: int | None, capability: str) -> bool:
    rule = OWNER_RULES.get(owner_type)
    return _active(user) and rule is not None and owner_id is not None and bool(
        rule(user, owner_id, capability))


def _can_see_wall(user: Any, wall: Any) -> bool:
    if not _active(user) or wall is None:
        return False
    return wall.owner_type is None or _owner_allows(user, wall.owner_type, wall.owner_id, "read")


def _can_post(user: Any, wall: Any) -> bool:
    if not _can_see_wall(user, wall) or wall.archived_at is not None:
        return False
    return wall.owner_type is None or _owner_allows(user, wall.owner_type, wall.owner_id, "write")


def _can_see_post(user: Any, post: Any) -> bool:
    if not _active(user) or post is None:
        return False
    if _is_moderator(user):
        return True
    if post.author_id == user.id:
        return post.deleted_at is None
    return post.is_visible


def _is_author_of_live(user: Any, item: Any) -> bool:
    return (_active(user) and item is not None and item.author_id == user.id
            and item.deleted_at is None and item.hidden_at is None)


def _can_comment(user: Any, post: Any) -> bool:
    if not _active(user) or post is None or not post.is_visible:
        return False
    return not post.comments_locked or _is_moderator(user)


def _can_accept(user: Any, post: Any) -> bool:
    return (_active(user) and post is not None and post.kind == "question"
            and post.is_visible and (post.author_id == user.id or _is_moderator(user)))


def _can_sanction(user: Any, target: Any) -> bool:
    # Warn or suspend: moderators act on members, admins on anyone; nobody on themself.
    if not _is_moderator(user) or target is None or target.id == user.id:
        return False
    return target.role == "member" or _is_admin(user)


def _can_change_role(user: Any, target: Any) -> bool:
    # An admin may not demote or suspend themself: the platform would lose its last keys.
    return _is_admin(user) and target is not None and target.id != user.id


# Chat: rules get a `ChannelAccess` (`.channel`, `.membership` — None for a non-member)
# or a `MessageAccess` (`.message`, `.access`) built by app/chat/services/access.py.

def _chat_member(user: Any, access: Any) -> bool:
    return _active(user) and access is not None and access.membership is not None


def _chat_open(access: Any) -> bool:
    """A public channel of the network (not another feature's, not archived)."""
    channel = access.channel
    return (channel.kind == "public" and channel.owner_type is None
            and channel.archived_at is None)


def _can_see_channel(user: Any, access: Any) -> bool:
    # Private channels and direct messages exist only for their members (moderators
    # included: conversations are private); channels owned by another feature (project
    # spaces) are seen by the members that feature puts in them.
    return _chat_member(user, access) or (_active(user) and access is not None
                                          and _chat_open(access))


def _can_join_channel(user: Any, access: Any) -> bool:
    return _active(user) and access is not None and access.membership is None \
        and _chat_open(access)


def _can_post_in_channel(user: Any, access: Any) -> bool:
    return _chat_member(user, access) and access.channel.archived_at is None


def _is_named_channel(access: Any) -> bool:
    return access.channel.kind in ("public", "private") and access.channel.archived_at is None


def _can_invite_to_channel(user: Any, access: Any) -> bool:
    return _chat_member(user, access) and _is_named_channel(access)


def _can_leave_channel(user: Any, access: Any) -> bool:
    return _chat_member(user, access) and access.channel.kind in ("public", "private")


def _can_manage_channel(user: Any, access: Any) -> bool:
    if not _can_see_channel(user, access) or not _is_named_channel(access):
        return False
    if _is_moderator(user):
        return True
    return access.membership is not None and access.membership.role == "admin"


def _can_edit_message(user: Any, target: Any) -> bool:
    return (_can_post_in_channel(user, target.access) and target.message.author_id == user.id
            and target.message.deleted_at is None)


def _can_delete_message(user: Any, target: Any) -> bool:
    if not _can_see_channel(user, target.access) or target.message.deleted_at is not None:
        return False
    own = target.message.author_id == user.id and _chat_member(user, target.access)
    return own or _is_moderator(user)


RULES: dict[str, Rule] = {
    "platform.enter": _is_member,
    "member.view": lambda u, target: _is_member(u) and target is not None and (
        target.is_active or _is_moderator(u)
    ),
    "profile.edit": lambda u, target: _is_self(u, target) or _is_admin(u),
    "directory.view": _is_member,
    "moderation.access": _is_moderator,
    "admin.access": _is_admin,
    "invitation.create": _is_admin,
    "invitation.manage": _is_admin,
    "jobs.manage": _is_admin,
    "user.change_role": _can_change_role,
    "user.change_status": _can_change_role,
    "realtime.connect": _is_member,
    "notifications.view": _is_member,
    "feed.view": _is_member,
    "wall.view": _can_see_wall,
    "wall.create": _is_moderator,
    "wall.manage": _is_moderator,
    "post.create": _can_post,
    "post.announce": _is_moderator,
    "post.view": _can_see_post,
    "post.edit": lambda u, post: _is_author_of_live(u, post) or _is_moderator(u),
    "post.delete": lambda u, post: _is_author_of_live(u, post) or _is_moderator(u),
    "comment.create": _can_comment,
    "comment.edit": lambda u, c: _is_author_of_live(u, c) or _is_moderator(u),
    "comment.delete": lambda u, c: _is_author_of_live(u, c) or _is_moderator(u),
    "answer.accept": _can_accept,
    "content.moderate": _is_moderator,
    "content.report": _is_member,
    "member.sanction": _can_sanction,
    "revisions.view": _is_moderator,
    "chat.use": _is_member,
    "chat.channel.create": _is_member,
    "chat.channel.view": _can_see_channel,
    "chat.channel.join": _can_join_channel,
    "chat.channel.read": _chat_member,
    "chat.channel.post": _can_post_in_channel,
    "chat.channel.invite": _can_invite_to_channel,
    "chat.channel.leave": _can_leave_channel,
    "chat.channel.manage": _can_manage_channel,
    "chat.message.edit": _can_edit_message,
    "chat.message.delete": _can_delete_message,
}


# Each feature below adds its rule functions under its heading and registers them with
# RULES.update({...}) right there, so the whole policy still reads in this one file.

# --- Library ---------------------------------------------------------------------------

# Rules get a shelf (`app.library.services.Shelf`) or a document: both carry `owner_type`
# and `owner_id`, None for the network's main library; an owned shelf (a project's) follows
# its owner's rule for "read", "write" (submit) and "moderate".

def _library_read(user: Any, shelf: Any) -> bool:
    if not _active(user) or shelf is None:
        return False
    return shelf.owner_type is None or _owner_allows(user, shelf.owner_type, shelf.owner_id,
                                                     "read")


def _library_submit(user: Any, shelf: Any) -> bool:
    if not _library_read(user, shelf):
        return False
    return shelf.owner_type is None or _owner_allows(user, shelf.owner_type, shelf.owner_id,
                                                     "write")


def _library_moderate(user: Any, shelf: Any) -> bool:
    if not _library_read(user, shelf):
        return False
    if shelf.owner_type is None:
        return _is_moderator(user)
    return _owner_allows(user, shelf.owner_type, shelf.owner_id, "moderate")


def _is_submitter(user: Any, document: Any) -> bool:
    return document.submitted_by_id is not None and document.submitted_by_id == user.id


def _can_see_document(user: Any, document: Any) -> bool:
    # Members see published documents; submissions exist only for their submitter and the
    # shelf's moderators.
    if not _library_read(user, document):
        return False
    return document.state == "published" or _is_submitter(user, document) \
        or _library_moderate(user, document)


def _is_document_insider(user: Any, document: Any) -> bool:
    # The submitter and the shelf's moderators also see versions not (yet) published.
    return _can_see_document(user, document) and (
        _is_submitter(user, document) or _library_moderate(user, document))


def _can_edit_document(user: Any, document: Any) -> bool:
    if not _can_see_document(user, document):
        return False
    return _library_moderate(user, document) or (
        _is_submitter(user, document) and document.state in ("pending", "changes"))


def _can_add_version(user: Any, document: Any) -> bool:
    if not _can_see_document(user, document):
        return False
    return _library_moderate(user, document) or (
        _is_submitter(user, document) and _library_submit(user, document)
        and document.state in ("pending", "changes", "published"))


def _can_comment_document(user: Any, document: Any) -> bool:
    return _library_read(user, document) and document.state == "published"


def _can_delete_document_comment(user: Any, target: Any) -> bool:
    # `target` is a CommentAccess (`.comment`, `.document`).
    if not _can_see_document(user, target.document):
        return False
    return target.comment.author_id == user.id or _library_moderate(user, target.document)


RULES.update({
    "library.view": _library_read,
    "library.submit": _library_submit,
    "library.moderate": _library_moderate,
    "library.document.view": _can_see_document,
    "library.document.insider": _is_document_insider,
    "library.document.edit": _can_edit_document,
    "library.document.version": _can_add_version,
    "library.document.comment": _can_comment_document,
    "library.comment.delete": _can_delete_document_comment,
    "library.collections.manage": _is_moderator,
})


# --- Projects --------------------------------------------------------------------------

# Projects: rules get a `ProjectAccess` (`.project`, `.membership` — None for a non-member)
# built by app/projects/access.py. An open project is read by every member of the network
# and joined on a lead's approval; a private one exists only for its members, network
# moderators and admins included (like private chat channels: a private workspace).


def _project_reader(user: Any, access: Any) -> bool:
    return _active(user) and access is not None and (
        access.membership is not None or access.project.visibility == "open")


def _project_member(user: Any, access: Any) -> bool:
    return _active(user) and access is not None and access.membership is not None


def _project_lead(user: Any, access: Any) -> bool:
    return _project_member(user, access) and access.membership.role == "lead"


def _project_moderator(user: Any, access: Any) -> bool:
    # Leads moderate their space; the network's moderators also curate open projects.
    return _project_lead(user, access) or (_project_reader(user, access) and _is_moderator(user)
                                           and access.project.visibility == "open")


def _can_request_to_join(user: Any, access: Any) -> bool:
    return _project_reader(user, access) and access.membership is None


def _can_manage_meeting(user: Any, target: Any) -> bool:
    """A meeting is changed by whoever planned it or by a lead."""
    return _project_lead(user, target.access) or (
        _project_member(user, target.access) and target.meeting.created_by_id == user.id)


def _can_file_minutes(user: Any, target: Any) -> bool:
    """Any member files the minutes of a meeting that has none; replacing them is for
    whoever may change the meeting."""
    return _can_manage_meeting(user, target) or (
        _project_member(user, target.access) and target.meeting.minutes_document_id is None)


_PROJECT_CAPABILITIES = {"read": _project_reader, "write": _project_member,
                         "moderate": _project_moderator}


def _project_owner_rule(user: Any, project_id: int, capability: str) -> bool:
    """Walls, chat channels and library shelves owned by a project follow its membership."""
    from .projects.access import load_access  # projects depend on this module, not back

    rule = _PROJECT_CAPABILITIES.get(capability)
    return rule is not None and rule(user, load_access(user, project_id))


OWNER_RULES["project"] = _project_owner_rule
RULES.update({
    "project.create": _is_member,
    "project.view": _project_reader,
    "project.edit": _project_lead,
    "project.request_join": _can_request_to_join,
    "project.manage_members": _project_lead,
    "project.leave": _project_member,
    "project.contribute": _project_member,
    "project.moderate": _project_moderator,
    "project.meeting.manage": _can_manage_meeting,
    "project.meeting.minutes": _can_file_minutes,
})


# --- Co-development and agenda ---------------------------------------------------------

# Co-development: rules get a `SessionAccess` (`.session`, `.participant` — None for a
# member who was never invited nor asked) built by app/codev/services/access.py. Who may post
# what depends on the running phase (its code from the taxonomy) and the member's role.

def _codev_part(user: Any, access: Any) -> bool:
    return (_active(user) and access is not None and access.participant is not None
            and access.participant.state in ("invited", "accepted")
            and access.session.status != "cancelled")


def _codev_role(user: Any, access: Any, *roles: str) -> bool:
    return _codev_part(user, access) and access.participant.role in roles


def _codev_card(user: Any, access: Any) -> bool:
    # Outsiders see an open, not yet started session's card, to ask to join.
    return _codev_part(user, access) or (
        _active(user) and access is not None and access.session.open_to_requests
        and access.session.status == "scheduled"
        and (access.participant is None or access.participant.state == "requested"))


def _codev_phase(user: Any, access: Any, phase: str, *roles: str) -> bool:
    return (_codev_role(user, access, *roles) and access.session.status == "live"
            and access.session.phase_code == phase)


CODEV_POSTING = {
    # kind: (phase code, roles allowed to write it)
    "question": ("clarification", ("consultant",)),
    "request": ("contrat", ("client",)),
    "suggestion": ("consultation", ("consultant",)),
    "action": ("plan-action", ("client",)),
    "lesson": ("bilan", ("facilitator", "client", "consultant")),
}


def _codev_poster(kind: str) -> Rule:
    phase, roles = CODEV_POSTING[kind]
    return lambda user, access: _codev_phase(user, access, phase, *roles)


def _codev_drive(user: Any, access: Any) -> bool:
    return (_codev_role(user, access, "facilitator")
            and access.session.status in ("scheduled", "live"))


def _codev_publish(user: Any, access: Any) -> bool:
    return (_codev_role(user, access, "client") and access.session.status == "ended"
            and access.session.confidentiality == "participants")


# Agenda: rules get an `EventAccess` (`.event`, `.rsvp` — None when the member has no
# answer) built by app/agenda/services/access.py.

def _agenda_see(user: Any, access: Any) -> bool:
    if not _active(user) or access is None:
        return False
    event = access.event
    return (event.visibility == "network" or access.rsvp is not None
            or event.organizer_id == user.id)


def _agenda_manage(user: Any, access: Any) -> bool:
    # Events of another feature (a co-development session) are changed through it.
    return (_agenda_see(user, access) and access.event.source_type is None
            and (_is_moderator(user) or access.event.organizer_id == user.id))


def _agenda_attach(user: Any, access: Any) -> bool:
    return _agenda_see(user, access) and (_is_moderator(user)
                                          or access.event.organizer_id == user.id)


def _agenda_documents(user: Any, access: Any) -> bool:
    # Slides and minutes go to the network's library: network events only (a session's or
    # a project meeting's papers are not the whole network's), and not a cancelled one.
    return (_agenda_attach(user, access) and access.event.source_type is None
            and access.event.cancelled_at is None)


def _agenda_rsvp(user: Any, access: Any) -> bool:
    return (_agenda_see(user, access) and access.event.source_type is None
            and access.event.cancelled_at is None)


RULES.update({
    "codev.use": _is_member,
    "codev.session.schedule": _is_member,
    "codev.session.card": _codev_card,
    "codev.session.view": _codev_part,
    "codev.session.request": lambda u, a: _codev_card(u, a) and a.participant is None,
    # A consultant gives their seat back while the session has not started.
    "codev.session.decline": lambda u, a: _codev_role(u, a, "consultant")
    and a.session.status == "scheduled",
    "codev.session.manage": _codev_drive,
    "codev.phase.drive": _codev_drive,
    "codev.hand.raise": lambda u, a: _codev_part(u, a) and a.session.status == "live",
    "codev.hand.lower_any": _codev_drive,
    "codev.record.view": lambda u, a: _codev_part(u, a) and a.session.status == "ended",
    "codev.record.publish": _codev_publish,
    "codev.action.export": lambda u, a: _codev_role(u, a, "client")
    and a.session.status == "ended",
    **{f"codev.post.{kind}": _codev_poster(kind) for kind in CODEV_POSTING},
    "agenda.view": _is_member,
    "agenda.event.create": _is_moderator,
    "agenda.event.view": _agenda_see,
    "agenda.event.manage": _agenda_manage,
    "agenda.event.attach": _agenda_attach,
    "agenda.event.documents": _agenda_documents,
    "agenda.event.rsvp": _agenda_rsvp,
    "agenda.feed.manage": _is_member,
})


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether `user` may perform `action` (on `obj`). Unknown actions are refused."""
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"unknown action {action!r}")
    return bool(rule(user, obj))


def require(user: Any, action: str, obj: Any = None, *, hide: bool = False) -> None:
    """Raise PermissionDenied, or NotFound when `hide` is set (private things look absent)."""
    if not can(user, action, obj):
        raise NotFound() if hide else PermissionDenied()
