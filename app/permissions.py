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


def _can_change_role(user: Any, target: Any) -> bool:
    # An admin may not demote or suspend themself: the platform would lose its last keys.
    return _is_admin(user) and target is not None and target.id != user.id


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
}


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
