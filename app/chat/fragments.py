"""A chat message's HTML, rendered by the server only (templates/chat/_message.html).

The channel page, the `chat:send` ack and the `chat:history` ack (which the browser uses to
catch up on live events) all go through `message_html`, so the links, the "Modifier" and
"Supprimer" controls and who gets them (`can()`) live in one template and one permission
table, never in JavaScript.

A message is rendered once per *variant*, not per viewer: what the template depends on is
the message itself (author, body, times, deleted), the viewer's `Variant` (their own
message? may they edit, delete, see the revisions?) and the language. A bounded per-process
memo keyed on exactly those keeps a message read by 200 members from being rendered 200
times. The one per-viewer part, the delete form's CSRF token, is left as a slot in the memo
and filled for each viewer (message text cannot contain the slot: NUL is refused on input).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..accounts.models import User
from ..permissions import can
from .models import Message
from .services import ChannelAccess, MessageAccess, message_dict

CSRF_SLOT = "\x00csrf\x00"
MEMO_SIZE = 500  # fragments; cleared when full (a few MB at most)


@dataclass(frozen=True)
class Variant:
    """What distinguishes one viewer's copy of a message from another's."""

    mine: bool
    can_edit: bool
    can_delete: bool
    sees_revisions: bool


def variant(actor: User, target: MessageAccess) -> Variant:
    mine = target.message.author_id == actor.id
    return Variant(mine=mine, can_edit=can(actor, "chat.message.edit", target),
                   can_delete=can(actor, "chat.message.delete", target),
                   sees_revisions=mine or can(actor, "revisions.view"))


def _memo() -> dict:
    return current_app.extensions.setdefault("chat.fragments", {})


def message_html(actor: User, access: ChannelAccess, message: Message) -> Markup:
    """`message` (of the channel of `access`) as `actor` sees it."""
    shape = variant(actor, MessageAccess(message, access))
    key = (message.id, message.author_id, message.author.display_name, message.body_html,
           message.created_at, message.edited_at, message.deleted_at is not None, shape,
           str(get_locale()), str(get_timezone()))
    memo = _memo()
    html = memo.get(key)
    if html is None:
        html = current_app.jinja_env.get_template("chat/_message.html").module.message_item(
            message, shape, CSRF_SLOT)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = html
    # Markup.replace escapes what it puts in: the token is URL-safe, so it stays as it is.
    return html.replace(CSRF_SLOT, generate_csrf()) if CSRF_SLOT in html else html


def message_payloads(actor: User, access: ChannelAccess, messages: list[Message]) -> list[dict]:
    """Messages as acks carry them: their data, and `html` rendered for `actor`."""
    return [{**message_dict(message), "html": str(message_html(actor, access, message))}
            for message in messages]
