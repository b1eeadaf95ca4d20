"""Comments: answering a post (one level of replies), editing with the previous version kept,
soft-deleting. A new comment reaches the post's followers through the feed and tells its
post's author and the member answered.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...mentions import render_with_mentions
from ...notifications import services as notifications
from ...permissions import require
from ...sanitize import to_plain_text
from ..models import Comment, Post, Revision
from .notices import (
    do_notify_mentions,
    do_publish_comment,
    do_publish_removed,
    do_record_moderation,
    post_url,
    snapshot,
)
from .validation import COMMENT_BODY_MAX, EXCERPT, clean_body, clean_reason, refuse_duplicate

_GONE = _l("Le commentaire auquel vous répondez n'existe plus.")


def check_create_comment(actor: User, post: Post, body: str,
                         parent_id: int | None = None) -> Comment:
    require(actor, "comment.create", post)
    body = clean_body(body, COMMENT_BODY_MAX)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.post_id != post.id or not parent.is_visible:
            raise Invalid(_GONE, field="parent_id")
        if parent.parent_id is not None:  # one level of replies: answer the thread
            parent = db.session.get(Comment, parent.parent_id)
            if parent is None or not parent.is_visible:
                raise Invalid(_GONE, field="parent_id")
    refuse_duplicate(actor, body, post_id=post.id)
    return do_create_comment(actor, post, body, parent)


def do_create_comment(actor: User, post: Post, body: str, parent: Comment | None) -> Comment:
    """`parent` is a visible thread of `post` (a reply to a reply answers its thread)."""
    html, mentioned = render_with_mentions(body)
    comment = Comment(post_id=post.id, parent_id=parent.id if parent else None,
                      author_id=actor.id, body=body, body_html=html)
    db.session.add(comment)
    post.comment_count += 1
    post.last_activity_at = utcnow()
    db.session.flush()
    url = post_url(post, comment.id)
    data = {**snapshot(post, post.wall), "url": url, "excerpt": to_plain_text(body, EXCERPT)}
    is_answer = post.kind == "question" and parent is None
    # The comment is the object and its post the context: followers of the post see it,
    # hiding or editing the comment reaches exactly this activity, hiding the post hides it.
    notifications.do_record_activity(
        "answer.created" if is_answer else "comment.created", actor, "comment", comment.id,
        context_type="post", context_id=post.id,
        target_user_id=post.author_id if is_answer else None, data=data)
    title = post.title or to_plain_text(post.body, 60)
    told = {actor.id}
    for user_id in (post.author_id, parent.author_id if parent else None):
        if user_id and user_id not in told:
            told.add(user_id)
            notifications.do_notify(
                user_id, "reply", actor, "post", post.id, url=url,
                text=str(_l("%(name)s a répondu dans « %(title)s »",
                            name=actor.display_name, title=title)))
    do_notify_mentions(actor, post, {k: v for k, v in mentioned.items() if k not in told}, url)
    notifications.do_follow(actor, "post", post.id)
    do_publish_comment(post, comment.id, "add")
    return comment


def check_edit_comment(actor: User, comment: Comment, body: str, reason: str = "") -> None:
    require(actor, "comment.edit", comment)
    reason = clean_reason(reason, required=comment.author_id != actor.id)
    body = clean_body(body, COMMENT_BODY_MAX)
    if body == comment.body:
        return
    do_edit_comment(actor, comment, body, reason)


def do_edit_comment(actor: User, comment: Comment, body: str, reason: str) -> None:
    """Keeps the previous version; a moderator's edit is logged and told to the author."""
    db.session.add(Revision(target_type="comment", target_id=comment.id, body=comment.body,
                            editor_id=actor.id, reason=reason or None))
    comment.body = body
    comment.body_html, _mentioned = render_with_mentions(body)
    comment.edited_at = utcnow()
    notifications.do_update_object_data("comment", comment.id,
                                        excerpt=to_plain_text(body, EXCERPT))
    if comment.author_id != actor.id:
        do_record_moderation(actor, "comment.edit", comment, reason)
    do_publish_comment(comment.post, comment.id, "update")


def check_delete_comment(actor: User, comment: Comment, reason: str = "") -> None:
    require(actor, "comment.delete", comment)
    reason = clean_reason(reason, required=comment.author_id != actor.id)
    if comment.deleted_at is not None:
        raise Invalid(_l("Ce commentaire est déjà supprimé."))
    do_delete_comment(actor, comment, reason)


def do_delete_comment(actor: User, comment: Comment, reason: str) -> None:
    """A soft delete; an accepted answer that goes away leaves its question open again."""
    comment.deleted_at, comment.deleted_by_id = utcnow(), actor.id
    comment.deleted_reason = reason
    post = comment.post
    post.comment_count = max(0, post.comment_count - 1)
    if post.accepted_comment_id == comment.id:
        post.accepted_comment_id = None
    notifications.do_set_object_hidden("comment", comment.id, True)
    if comment.author_id != actor.id:
        do_record_moderation(actor, "comment.delete", comment, reason)
    do_publish_removed(comment)
