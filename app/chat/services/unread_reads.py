"""How many messages a member has not read, per channel and in total.

Counts are kept on each membership (`chat_members.unread`, moved by sending, reading and
deleting: unread.py) so reading them is one grouped query for any number of members, and
the menu badge of every page is cached per process for a few seconds. Reads only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Result, ScalarSelect, func, select
from sqlalchemy.exc import SQLAlchemyError

from ...accounts.models import User
from ...extensions import db
from ...permissions import can
from ..models import ChannelMember, Message

BADGE_SECONDS = 30


@dataclass
class Unread:
    total: int = 0
    channels: dict[int, int] = field(default_factory=dict)


def badge_cache() -> dict[int, tuple[float, int]]:
    """This process's menu badges: user id -> (when counted, total)."""
    return current_app.extensions.setdefault("chat.badge", {})


def _unread_rows(user_ids: list[int]) -> Result:
    """(user_id, channel_id, muted, count) for every channel with unread messages of
    these members."""
    return db.session.execute(
        select(ChannelMember.user_id, ChannelMember.channel_id, ChannelMember.muted,
               ChannelMember.unread)
        .where(ChannelMember.user_id.in_(user_ids), ChannelMember.unread > 0))


def unread_after(marker: int) -> ScalarSelect:
    """Others' live messages of a membership's channel after `marker` (correlated to the
    chat_members row being updated)."""
    return (select(func.count(Message.id))
            .where(Message.channel_id == ChannelMember.channel_id, Message.id > marker,
                   Message.author_id != ChannelMember.user_id, Message.deleted_at.is_(None))
            .scalar_subquery())


def unread_for(user_ids: list[int]) -> dict[int, Unread]:
    """Unread counts per channel and in total (muted channels left out of the total) for
    several members, in one grouped query."""
    result = {uid: Unread() for uid in user_ids}
    if not user_ids:
        return result
    for user_id, channel_id, muted, count in _unread_rows(sorted(set(user_ids))):
        counts = result[user_id]
        counts.channels[channel_id] = count
        if not muted:
            counts.total += count
    return result


def unread_counts(actor: User) -> Unread:
    return unread_for([actor.id])[actor.id]


def unread_total_cached(actor: User) -> int:
    """The menu badge on every page: cached per process for BADGE_SECONDS and dropped when
    this process changes the member's counts, so browsing costs no query."""
    if not can(actor, "chat.use"):
        return 0
    cache = badge_cache()
    now = time.monotonic()
    hit = cache.get(actor.id)
    if hit is not None and now - hit[0] < BADGE_SECONDS:
        return hit[1]
    try:
        total = unread_counts(actor).total
    except SQLAlchemyError:  # an error page after a database failure still renders
        current_app.logger.warning("chat badge unavailable", exc_info=True)
        return 0
    if len(cache) > 10_000:
        cache.clear()
    cache[actor.id] = (now, total)
    return total
