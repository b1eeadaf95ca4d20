"""Moderators' decisions on posts and comments: hide, bring back, restore, close comments,
pin, move to another wall, approve or reject a held-back post.

Nothing a member wrote is lost: each decision sets who, when and why beside the content, is
written to the append-only moderation log and told to the author.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...mentions import mentioned_members
from ...notifications import services as notifications
from ...permissions import require
from ..models import Comment, Post, Wall
from .access import access_wall
from .notices import (
    do_announce_post,
    do_publish_back,
    do_publish_post,
    do_publish_removed,
    do_record_moderation,
    kind_of,
    snapshot,
)
from .validation import clean_reason

_NOT_PENDING = _l("Ce message n'attend pas de validation.")


def check_hide(actor: User, target: Post | Comment, reason: str) -> None:
    require(actor, "content.moderate")
    reason = clean_reason(reason)
    if target.hidden_at is not None:
        raise Invalid(_l("Déjà masqué."))
    do_hide(actor, target, reason)


def do_hide(actor: User, target: Post | Comment, reason: str) -> None:
    target.hidden_at, target.hidden_by_id, target.hidden_reason = utcnow(), actor.id, reason
    kind = kind_of(target)
    notifications.do_set_object_hidden(kind, target.id, True)
    do_record_moderation(actor, f"{kind}.hide", target, reason)
    do_publish_removed(target)


def check_unhide(actor: User, target: Post | Comment, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = clean_reason(reason, required=False)
    if target.hidden_at is None:
        raise Invalid(_l("Ce contenu n'est pas masqué."))
    do_unhide(actor, target, reason)


def do_unhide(actor: User, target: Post | Comment, reason: str) -> None:
    target.hidden_at = target.hidden_by_id = target.hidden_reason = None
    kind = kind_of(target)
    if target.deleted_at is None:
        notifications.do_set_object_hidden(kind, target.id, False)
    do_record_moderation(actor, f"{kind}.unhide", target, reason)
    do_publish_back(target)


def check_restore(actor: User, target: Post | Comment, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = clean_reason(reason, required=False)
    if target.deleted_at is None:
        raise Invalid(_l("Ce contenu n'est pas supprimé."))
    do_restore(actor, target, reason)


def do_restore(actor: User, target: Post | Comment, reason: str) -> None:
    target.deleted_at = target.deleted_by_id = target.deleted_reason = None
    kind = kind_of(target)
    if isinstance(target, Comment):
        target.post.comment_count += 1
    if target.hidden_at is None:
        notifications.do_set_object_hidden(kind, target.id, False)
    do_record_moderation(actor, f"{kind}.restore", target, reason)
    do_publish_back(target)


def check_set_locked(actor: User, post: Post, locked: bool, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = clean_reason(reason, required=False)
    if post.comments_locked != locked:
        do_set_locked(actor, post, locked, reason)


def do_set_locked(actor: User, post: Post, locked: bool, reason: str) -> None:
    post.comments_locked = locked
    do_record_moderation(actor, "post.lock" if locked else "post.unlock", post, reason)
    do_publish_post(post.wall_id, post.id, "update")


def check_set_pinned(actor: User, post: Post, pinned: bool, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = clean_reason(reason, required=False)
    if (post.pinned_at is not None) != pinned:
        do_set_pinned(actor, post, pinned, reason)


def do_set_pinned(actor: User, post: Post, pinned: bool, reason: str) -> None:
    post.pinned_at = utcnow() if pinned else None
    do_record_moderation(actor, "post.pin" if pinned else "post.unpin", post, reason)
    do_publish_post(post.wall_id, post.id, "update")


def check_move(actor: User, post: Post, wall_id: int, reason: str) -> None:
    require(actor, "content.moderate")
    reason = clean_reason(reason)
    target = access_wall(actor, wall_id)
    if target.id == post.wall_id:
        raise Invalid(_l("Le message est déjà sur ce mur."), field="wall_id")
    do_move(actor, post, target, reason)


def do_move(actor: User, post: Post, target: Wall, reason: str) -> None:
    """The post leaves its wall's live pages and, if visible, joins the target's; its feed
    entries follow it to the new wall."""
    source_id = post.wall_id
    do_publish_removed(post)
    post.wall_id = target.id
    post.wall = target
    notifications.do_update_object_data("post", post.id, context_id=target.id,
                                        **snapshot(post, target))
    do_record_moderation(actor, "post.move", post, reason, from_wall=source_id,
                         to_wall=target.id)
    if post.is_visible:
        do_publish_post(target.id, post.id, "add")


def check_approve(actor: User, post: Post) -> None:
    require(actor, "content.moderate")
    if post.state != "pending":
        raise Invalid(_NOT_PENDING)
    do_approve(actor, post)


def do_approve(actor: User, post: Post) -> None:
    """Published as of now: it appears at the top and is announced as a new post."""
    post.state = "published"
    post.created_at = post.last_activity_at = utcnow()
    do_record_moderation(actor, "post.approve", post, "")
    html_members = mentioned_members(post.body)
    author = db.session.get(User, post.author_id)
    do_announce_post(author, post, post.wall, html_members)


def check_reject(actor: User, post: Post, reason: str) -> None:
    require(actor, "content.moderate")
    reason = clean_reason(reason)
    if post.state != "pending":
        raise Invalid(_NOT_PENDING)
    do_reject(actor, post, reason)


def do_reject(actor: User, post: Post, reason: str) -> None:
    post.state = "rejected"
    do_record_moderation(actor, "post.reject", post, reason)
