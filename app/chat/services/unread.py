"""Read markers and the unread counts that follow them.

A member's marker only moves forward (two tabs racing never move it back) and never past
the newest message; each move tells the member's other tabs (`chat:unread`), and the
process's cached menu badge is dropped once the change is committed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import update

from ...accounts.models import User
from ...db import on_commit, valid_id
from ...errors import Invalid
from ...extensions import db
from ...permissions import require
from ...realtime import publish, user_room
from ..models import Channel, ChannelMember
from .access import ChannelAccess, access_channel
from .unread_reads import Unread, badge_cache, unread_after, unread_counts, unread_for


def do_remember_badge(actor: User, total: int) -> None:
    """A page that just counted the member's unread messages saves the badge a query."""
    badge_cache()[actor.id] = (time.monotonic(), total)


def do_forget_badges(user_ids: Iterable[int]) -> None:
    """Once committed, these members' cached badges are counted again."""
    cache = badge_cache()
    ids = list(user_ids)

    def drop() -> None:
        for uid in ids:
            cache.pop(uid, None)
    on_commit(drop)


def do_advance_marker(channel_id: int, user_id: int, last_read_id: int) -> bool:
    """Move a read marker forward only (two tabs racing never move it back)."""
    result = db.session.execute(
        update(ChannelMember)
        .where(ChannelMember.channel_id == channel_id, ChannelMember.user_id == user_id,
               ChannelMember.last_read_id < last_read_id)
        .values(last_read_id=last_read_id, unread=unread_after(last_read_id))
        .execution_options(synchronize_session=False))
    membership = db.session.identity_map.get(
        db.session.identity_key(ChannelMember, (channel_id, user_id)))
    if membership is not None:  # loaded earlier in this session: read it again if needed
        db.session.expire(membership, ["last_read_id", "unread"])
    return bool(result.rowcount)


def do_publish_unread(channel: Channel, user_ids: list[int]) -> None:
    """`chat:unread` to each member's own room: their channel and total counts."""
    if not user_ids:
        return
    counts = unread_for(user_ids)
    for user_id in user_ids:
        unread = counts[user_id]
        publish(user_room(user_id), "chat:unread", {
            "type": "chat", "op": "unread", "channel_id": channel.id,
            "unread": unread.channels.get(channel.id, 0), "total_unread": unread.total,
            "last_message_id": channel.last_message_id})
    do_forget_badges(user_ids)


def check_read(actor: User, channel_id: int, last_read_id: int) -> Unread:
    """Everything up to `last_read_id` is read (never beyond the newest message, never
    backwards). Other tabs of the member hear of it through `chat:unread`."""
    if not valid_id(last_read_id):
        raise Invalid()
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.read", access)
    return do_read(actor, access, last_read_id)


def do_read(actor: User, access: ChannelAccess, last_read_id: int) -> Unread:
    """`actor` (a member of the channel) has read up to `last_read_id`."""
    channel = access.channel
    target = min(last_read_id, channel.last_message_id or 0)
    if target > 0:
        do_advance_marker(channel.id, actor.id, target)
    counts = unread_counts(actor)
    publish(user_room(actor.id), "chat:unread", {
        "type": "chat", "op": "unread", "channel_id": channel.id,
        "unread": counts.channels.get(channel.id, 0), "total_unread": counts.total,
        "last_message_id": channel.last_message_id})
    do_forget_badges([actor.id])
    return counts
