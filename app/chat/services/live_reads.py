"""Presence as the chat shows it: who shares a channel with whom, and their status. The
statuses themselves live in the presence store (app/chat/presence.py: memory or Redis).
Reads only."""

from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ..models import ChannelMember
from ..presence import get_presence


def presence_partners(user_id: int) -> list[int]:
    """Members who share a channel with `user_id`."""
    mine = select(ChannelMember.channel_id).where(ChannelMember.user_id == user_id)
    stmt = (select(ChannelMember.user_id).distinct()
            .where(ChannelMember.channel_id.in_(mine), ChannelMember.user_id != user_id))
    return list(db.session.scalars(stmt))


def statuses(user_ids: list[int]) -> dict[int, str]:
    return get_presence().statuses(user_ids)
