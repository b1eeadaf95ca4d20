"""Posts: publishing one (held back for approval where the wall asks it), editing it with its
previous version kept, soft-deleting it, and a question's accepted answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ... import taxonomy
from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...mentions import mentioned_ids, render_with_mentions
from ...notifications import services as notifications
from ...permissions import can, require
from ...storage import get_storage
from ...taxonomy import TaxonomyTerm
from ...uploads import CheckedFile
from ..models import POST_KINDS, Attachment, Comment, Post, Revision, Wall
from .notices import (
    do_announce_post,
    do_notify_mentions,
    do_publish_post,
    do_publish_removed,
    do_record_moderation,
    post_url,
    snapshot,
)
from .validation import (
    MAX_ATTACHMENTS,
    NEW_MEMBER_POSTS,
    POST_BODY_MAX,
    TAG_VOCABULARIES,
    clean_body,
    clean_reason,
    clean_title,
    refuse_duplicate,
)


def _is_new_member(user: User) -> bool:
    published = db.session.scalar(select(func.count()).select_from(Post).where(
        Post.author_id == user.id, Post.state == "published"))
    return published < NEW_MEMBER_POSTS


def _needs_approval(actor: User, wall: Wall) -> bool:
    if can(actor, "content.moderate") or wall.premoderation == "off":
        return False
    return wall.premoderation == "all" or _is_new_member(actor)


def check_create_post(actor: User, wall: Wall, *, body: str, title: str = "",
                      kind: str = "discussion", tags: dict[str, list[str]] | None = None,
                      files: Sequence[CheckedFile] = ()) -> Post:
    require(actor, "wall.view", wall, hide=True)
    require(actor, "post.create", wall)
    if kind not in POST_KINDS:
        raise Invalid(_l("Type de message inconnu."), field="kind")
    if kind == "announcement":
        require(actor, "post.announce", wall)
    body = clean_body(body, POST_BODY_MAX)
    title = clean_title(title, required=kind == "question")
    terms = taxonomy.check_terms(tags, TAG_VOCABULARIES, _l("Étiquette inconnue."))
    if len(files) > MAX_ATTACHMENTS:
        raise Invalid(_l("%(n)d pièces jointes au plus.", n=MAX_ATTACHMENTS), field="files")
    refuse_duplicate(actor, body, wall_id=wall.id)
    return do_create_post(actor, wall, body=body, title=title, kind=kind, terms=terms,
                          files=files)


def do_create_post(actor: User, wall: Wall, *, body: str, title: str, kind: str,
                   terms: list[TaxonomyTerm], files: Sequence[CheckedFile]) -> Post:
    """The post and its stored files; announced at once unless the wall's pre-moderation
    holds it back (whoever calls, the rule applies)."""
    html, mentioned = render_with_mentions(body)
    post = Post(wall_id=wall.id, author_id=actor.id, kind=kind, title=title, body=body,
                body_html=html, tags=terms, attachments=[],
                state="pending" if _needs_approval(actor, wall) else "published")
    db.session.add(post)
    db.session.flush()
    storage = get_storage()
    for checked in files:
        stored = storage.save(checked.data, suffix="." + checked.extension)
        post.attachments.append(Attachment(
            storage_key=stored.key, filename=checked.filename,
            content_type=checked.content_type, size=stored.size, sha256=stored.sha256,
            is_image=checked.is_image))
    notifications.do_follow(actor, "post", post.id)
    if post.state == "published":
        do_announce_post(actor, post, wall, mentioned)
    return post


def check_edit_post(actor: User, post: Post, *, body: str, title: str = "",
                    reason: str = "") -> None:
    """Keeps the previous version; a moderator editing someone else's post gives a reason."""
    require(actor, "post.edit", post)
    reason = clean_reason(reason, required=post.author_id != actor.id)
    body = clean_body(body, POST_BODY_MAX)
    title = clean_title(title, required=post.kind == "question")
    if (body, title) == (post.body, post.title):
        return
    do_edit_post(actor, post, body=body, title=title, reason=reason)


def do_edit_post(actor: User, post: Post, *, body: str, title: str, reason: str) -> None:
    before = set(mentioned_ids(post.body))
    db.session.add(Revision(target_type="post", target_id=post.id, title=post.title,
                            body=post.body, editor_id=actor.id, reason=reason or None))
    post.body, post.title = body, title
    post.body_html, mentioned = render_with_mentions(body)
    post.edited_at = utcnow()
    notifications.do_update_object_data("post", post.id, **snapshot(post, post.wall))
    if post.author_id != actor.id:
        do_record_moderation(actor, "post.edit", post, reason)
    if post.is_visible:
        do_notify_mentions(actor, post, mentioned, post_url(post), already=before)
        do_publish_post(post.wall_id, post.id, "update")


def check_delete_post(actor: User, post: Post, reason: str = "") -> None:
    """A soft delete: the row, its comments and its history stay in the database."""
    require(actor, "post.delete", post)
    reason = clean_reason(reason, required=post.author_id != actor.id)
    if post.deleted_at is not None:
        raise Invalid(_l("Ce message est déjà supprimé."))
    do_delete_post(actor, post, reason)


def do_delete_post(actor: User, post: Post, reason: str) -> None:
    post.deleted_at, post.deleted_by_id, post.deleted_reason = utcnow(), actor.id, reason
    notifications.do_set_object_hidden("post", post.id, True)
    if post.author_id != actor.id:
        do_record_moderation(actor, "post.delete", post, reason)
    do_publish_removed(post)


def check_accept_answer(actor: User, post: Post, comment_id: int | None) -> None:
    """Mark (or, with None, unmark) the accepted answer of a question."""
    require(actor, "answer.accept", post)
    comment = None
    if comment_id is not None:
        comment = db.session.get(Comment, comment_id)
        if comment is None or comment.post_id != post.id or not comment.is_visible \
                or comment.parent_id is not None:
            raise Invalid(_l("Cette réponse ne peut pas être retenue."))
    do_accept_answer(actor, post, comment)


def do_accept_answer(actor: User, post: Post, comment: Comment | None) -> None:
    """The answer's author hears that it was retained; unmarking tells nobody."""
    post.accepted_comment_id = comment.id if comment is not None else None
    if comment is not None:
        notifications.do_notify(
            comment.author_id, "accepted_answer", actor, "post", post.id,
            url=post_url(post, comment.id),
            text=str(_l("Votre réponse à « %(title)s » a été retenue", title=post.title)))
    do_publish_post(post.wall_id, post.id, "update")
