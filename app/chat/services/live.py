"""What is live but never stored: "… is typing" and members' presence.

Typing is broadcast at most once per member and channel every 3 s, and never back to the
typist's own tabs; a presence change reaches only the connected members who share a channel
with the member. Both go out at once (`emit_now` for presence, which follows a connection
rather than a transaction).
"""

from __future__ import annotations

from ...accounts.models import User
from ...permissions import require
from ...realtime import emit_now, publish, user_room
from ..presence import get_presence
from .access import ChannelAccess, access_channel, channel_room
from .live_reads import presence_partners


def check_typing(actor: User, channel_id: int) -> bool:
    """Tell the channel that `actor` is typing. Returns whether it was broadcast."""
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.post", access)
    return do_typing(actor, access)


def do_typing(actor: User, access: ChannelAccess) -> bool:
    presence = get_presence()
    if not presence.typing_allowed(actor.id, access.channel.id):
        return False
    publish(channel_room(access.channel.id), "chat:typing",
            {"type": "chat", "op": "typing", "channel_id": access.channel.id,
             "user": {"id": actor.id, "name": actor.display_name}},
            skip_sid=sorted(presence.sids(actor.id)) or None)
    return True


def do_publish_presence(user_id: int, status: str) -> None:
    """`presence` to the members sharing a channel with `user_id` who are connected."""
    partners = presence_partners(user_id)
    if not partners:
        return
    statuses = get_presence().statuses(partners)
    payload = {"type": "presence", "user_id": user_id, "status": status}
    for partner in partners:
        if statuses.get(partner, "offline") != "offline":
            emit_now(user_room(partner), "presence", payload)
