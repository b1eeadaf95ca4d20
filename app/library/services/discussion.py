"""Comments on published documents: members write them, their authors or the shelf's
moderators take them down (soft-deleted with who, when and why; a moderator's removal is
logged and tells the author).

(Named for the activity: a `comments` module would shadow the `comments()` listing the
package re-exports.)
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...moderation.log import do_log
from ...notifications import services as notifications
from ...permissions import require
from ...sanitize import render_markdown
from ..models import Document, DocumentComment
from .access import CommentAccess
from .pages import document_url
from .validation import COMMENT_MAX, clean_note


def check_comment(actor: User, document: Document, body: str) -> DocumentComment:
    require(actor, "library.document.comment", document)
    body = (body or "").strip()
    if not body:
        raise Invalid(_l("Le commentaire est vide."), field="body")
    if len(body) > COMMENT_MAX:
        raise Invalid(_l("Le commentaire est trop long (%(max)d caractères au plus).",
                         max=COMMENT_MAX), field="body")
    return do_comment(actor, document, body)


def do_comment(actor: User, document: Document, body: str) -> DocumentComment:
    comment = DocumentComment(document_id=document.id, author_id=actor.id, body=body,
                              body_html=str(render_markdown(body)), created_at=utcnow())
    db.session.add(comment)
    document.comment_count += 1
    db.session.flush()
    if document.submitted_by_id:
        notifications.do_notify(
            document.submitted_by_id, "reply", actor, "document", document.id,
            url=f"{document_url(document)}#commentaire-{comment.id}",
            text=str(_l("%(name)s a commenté « %(title)s »", name=actor.display_name,
                        title=document.title)))
    return comment


def check_delete_comment(actor: User, target: CommentAccess, reason: str = "") -> None:
    """Its author takes a comment down freely; a moderator says why."""
    require(actor, "library.comment.delete", target)
    by_moderator = target.comment.author_id != actor.id
    note = clean_note(reason, "reason", required=by_moderator,
                      message=_l("Indiquez le motif de la suppression."))
    do_delete_comment(actor, target, note)


def do_delete_comment(actor: User, target: CommentAccess, note: str) -> None:
    comment, document = target.comment, target.document
    comment.deleted_at, comment.deleted_by_id, comment.deleted_reason = \
        utcnow(), actor.id, note
    document.comment_count = max(0, document.comment_count - 1)
    if comment.author_id != actor.id:
        do_log(actor, "document_comment.delete", "document_comment", comment.id,
               target_user_id=comment.author_id, reason=note, document=document.id)
        notifications.do_notify(
            comment.author_id, "moderation", actor, "document", document.id,
            url=document_url(document),
            text=str(_l("Votre commentaire sur « %(title)s » a été retiré : %(note)s",
                        title=document.title, note=note)))
