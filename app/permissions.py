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
# or a `MessageAccess` (`.message`, `.access`) built by app/chat/services.py.

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

# --- Projects --------------------------------------------------------------------------

# --- Co-development and agenda ---------------------------------------------------------


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
