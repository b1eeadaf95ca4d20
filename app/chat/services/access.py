"""Who may see a channel, and the messages they may read there.

Every way into a conversation (a page, a socket event, another feature embedding it) starts
here, so "not a member of a private channel" is one NotFound in one place: a conversation
one is not in does not exist for them. Reads only.

Delivery rests on `history`: message ids increase within a channel in commit order (sending
locks the channel row, see messages.py), so "everything after id X" never skips a message
committed later with a smaller id.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...db import load_with_membership, valid_id
from ...errors import Invalid, NotFound
from ...extensions import db
from ...permissions import can, require
from ..models import Channel, ChannelMember, Message, MessageRevision

HISTORY_DEFAULT = 50
HISTORY_MAX = 100


@dataclass
class ChannelAccess:
    """A channel as one member sees it: the channel and their membership (None if they are
    not a member). Permission rules read both."""

    channel: Channel
    membership: ChannelMember | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None


@dataclass
class MessageAccess:
    message: Message
    access: ChannelAccess


@dataclass
class HistoryPage:
    access: ChannelAccess
    messages: list[Message]
    has_more: bool


def channel_room(channel_id: int) -> str:
    return f"channel:{channel_id}"


def membership(channel_id: int, user_id: int) -> ChannelMember | None:
    return db.session.get(ChannelMember, (channel_id, user_id))


def access_channel(actor: User, channel_id: int, *, lock: bool = False) -> ChannelAccess:
    """The channel if `actor` may see it; anything else is NotFound (a private channel or a
    conversation one is not in does not exist for them). `lock` takes the row lock that
    orders the messages of a channel (PostgreSQL; SQLite serialises writers anyway)."""
    if not valid_id(channel_id) or not can(actor, "chat.use"):
        raise NotFound()
    row = load_with_membership(Channel, channel_id, ChannelMember.channel_id, actor.id,
                               lock=lock)
    if row is None:
        raise NotFound()
    access = ChannelAccess(*row)
    require(actor, "chat.channel.view", access, hide=True)
    return access


def access_message(actor: User, message_id: int) -> MessageAccess:
    if not valid_id(message_id):
        raise NotFound()
    message = db.session.scalar(
        select(Message).where(Message.id == message_id)
        .options(joinedload(Message.author, innerjoin=True)))
    if message is None:
        raise NotFound()
    access = access_channel(actor, message.channel_id)
    return MessageAccess(message, access)


def owned_channel(owner_type: str, owner_id: int) -> Channel | None:
    """The channel another feature owns (a project space's)."""
    return db.session.scalar(select(Channel).where(Channel.owner_type == owner_type,
                                                   Channel.owner_id == owner_id))


def history(access: ChannelAccess, *, before_id: int | None = None,
            after_id: int | None = None, ids: list[int] | None = None,
            limit: int = HISTORY_DEFAULT) -> tuple[list[Message], bool]:
    """One page of messages in ascending id order, and whether there are more.

    `after_id`: the oldest messages after it (catching up); `ids`: those messages of this
    channel (refreshing some already shown; unknown ids are left out); otherwise the newest
    before `before_id` (scrolling back), or the newest of all. One query, by keyset.
    """
    limit = max(1, min(int(limit), HISTORY_MAX))
    stmt = (select(Message).where(Message.channel_id == access.channel.id)
            .options(joinedload(Message.author, innerjoin=True)))
    if ids is not None:
        return list(db.session.scalars(
            stmt.where(Message.id.in_(ids[:HISTORY_MAX])).order_by(Message.id))), False
    if after_id is not None:
        rows = list(db.session.scalars(
            stmt.where(Message.id > after_id).order_by(Message.id).limit(limit + 1)))
        return rows[:limit], len(rows) > limit
    if before_id is not None:
        stmt = stmt.where(Message.id < before_id)
    rows = list(db.session.scalars(stmt.order_by(Message.id.desc()).limit(limit + 1)))
    return list(reversed(rows[:limit])), len(rows) > limit


def access_history_page(actor: User, channel_id: int, *, before_id: int | None = None,
                        after_id: int | None = None, ids: list[int] | None = None,
                        limit: int = HISTORY_DEFAULT) -> HistoryPage:
    """`history` of a channel `actor` may see, its arguments checked (one way at a time),
    with the access the caller needs to render the messages for them."""
    if sum(value is not None for value in (before_id, after_id, ids)) > 1:
        raise Invalid(_l("Demandez les messages avant ou après un message, pas les deux."))
    for value in (before_id, after_id):
        if value is not None and not valid_id(value):
            raise Invalid()
    if ids is not None and (not isinstance(ids, list) or not 1 <= len(ids) <= HISTORY_MAX
                            or not all(valid_id(value) for value in ids)):
        raise Invalid()
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= HISTORY_MAX:
        raise Invalid()
    access = access_channel(actor, channel_id)
    messages, has_more = history(access, before_id=before_id, after_id=after_id, ids=ids,
                                 limit=limit)
    return HistoryPage(access, messages, has_more)


def access_history(actor: User, channel_id: int, *, before_id: int | None = None,
                   after_id: int | None = None,
                   limit: int = HISTORY_DEFAULT) -> tuple[list[Message], bool]:
    """The messages and "more?" of `access_history_page` (pages that embed a channel)."""
    page = access_history_page(actor, channel_id, before_id=before_id, after_id=after_id,
                               limit=limit)
    return page.messages, page.has_more


def revisions(actor: User, message_id: int) -> list[MessageRevision]:
    """Previous bodies of a message, newest first: its author and moderators."""
    target = access_message(actor, message_id)
    if target.message.author_id != actor.id:
        require(actor, "revisions.view")
    return list(db.session.scalars(
        select(MessageRevision).where(MessageRevision.message_id == message_id)
        .order_by(MessageRevision.id.desc())))
