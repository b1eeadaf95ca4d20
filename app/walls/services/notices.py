"""What others hear of a change on a wall: the live event on its room, the feed entry and
mentions of a post that becomes visible, and the moderation log entry with its notice to the
author.

Posts, comments and moderation actions all end this way, so the event shapes and the wording
live once, here. Live events leave only after the caller's commit (`app.realtime.publish`).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...extensions import db
from ...moderation.log import do_log
from ...notifications import services as notifications
from ...permissions import can
from ...realtime import publish
from ...sanitize import to_plain_text
from ..models import Comment, Post, Wall
from .validation import EXCERPT

MODERATION_LABELS = {
    "post.edit": _l("modification"), "comment.edit": _l("modification"),
    "post.delete": _l("suppression"), "comment.delete": _l("suppression"),
    "post.hide": _l("masqué"), "comment.hide": _l("masqué"),
    "post.unhide": _l("de nouveau visible"), "comment.unhide": _l("de nouveau visible"),
    "post.restore": _l("restauré"), "comment.restore": _l("restauré"),
    "post.lock": _l("commentaires fermés"), "post.unlock": _l("commentaires rouverts"),
    "post.pin": _l("épinglé"), "post.unpin": _l("désépinglé"),
    "post.move": _l("déplacé"), "post.approve": _l("approuvé"), "post.reject": _l("refusé"),
}


def wall_room(wall_id: int) -> str:
    return f"wall:{wall_id}"


def post_url(post: Post, comment_id: int | None = None) -> str:
    anchor = f"commentaire-{comment_id}" if comment_id else None
    # A path, also outside a request (CLI, tests): notifications only store same-site paths.
    return url_for("walls.post", post_id=post.id, _anchor=anchor, _external=False)


def snapshot(post: Post, wall: Wall) -> dict:
    """What the feed and notifications keep of a post, so they read without joining it."""
    return {"title": post.title, "excerpt": to_plain_text(post.body, EXCERPT),
            "url": post_url(post), "context_name": wall.name, "kind": post.kind}


def kind_of(target: Post | Comment) -> str:
    return "post" if isinstance(target, Post) else "comment"


def do_publish_post(wall_id: int, post_id: int, op: str) -> None:
    publish(wall_room(wall_id), "wall:post",
            {"type": "post", "op": op, "wall_id": wall_id, "post_id": post_id})


def do_publish_comment(post: Post, comment_id: int, op: str) -> None:
    publish(wall_room(post.wall_id), "wall:comment",
            {"type": "comment", "op": op, "wall_id": post.wall_id, "post_id": post.id,
             "comment_id": comment_id})


def do_publish_removed(target: Post | Comment) -> None:
    if isinstance(target, Post):
        do_publish_post(target.wall_id, target.id, "remove")
    else:
        do_publish_comment(target.post, target.id, "remove")


def do_publish_back(target: Post | Comment) -> None:
    """Visible again: members' pages add it back (a post still pending, deleted or hidden
    for another reason stays away)."""
    if not target.is_visible:
        return
    if isinstance(target, Post):
        do_publish_post(target.wall_id, target.id, "add")
    else:
        do_publish_comment(target.post, target.id, "add")


def do_notify_mentions(actor: User, post: Post, mentioned: dict[int, User], url: str,
                       already: set[int] = frozenset()) -> None:
    wall = db.session.get(Wall, post.wall_id)
    for user_id, user in mentioned.items():
        # A private project's wall: mentioning someone outside it tells them nothing.
        if user_id in already or not can(user, "wall.view", wall) \
                or not can(user, "post.view", post):
            continue
        notifications.do_notify(
            user_id, "mention", actor, "post", post.id, url=url,
            text=str(_l("%(name)s vous a mentionné·e dans « %(title)s »",
                        name=actor.display_name, title=post.title or to_plain_text(
                            post.body, 60))))


def do_announce_post(actor: User, post: Post, wall: Wall, mentioned: dict[int, User]) -> None:
    """Everything that happens when a post becomes visible: feed, mentions, live event."""
    data = snapshot(post, wall)
    notifications.do_record_activity(
        "announcement" if post.kind == "announcement" else "post.created", actor, "post",
        post.id, context_type="wall", context_id=wall.id,
        broadcast=post.kind == "announcement", data=data)
    do_notify_mentions(actor, post, mentioned, data["url"])
    do_publish_post(wall.id, post.id, "add")


def do_record_moderation(actor: User, action: str, target: Post | Comment, reason: str,
                         **data) -> None:
    """Log the decision and tell the author (in their notification centre, by their choice)."""
    kind = kind_of(target)
    do_log(actor, action, kind, target.id, target_user_id=target.author_id,
           reason=reason, **data)
    post = target if isinstance(target, Post) else target.post
    label = MODERATION_LABELS.get(action, action)
    if reason:
        text = _l("L'équipe d'animation a agi sur votre message (%(action)s) : %(reason)s",
                  action=label, reason=reason)
    else:
        text = _l("L'équipe d'animation a agi sur votre message (%(action)s)", action=label)
    notifications.do_notify(target.author_id, "moderation", actor, kind, target.id,
                            url=post_url(post), text=str(text))
