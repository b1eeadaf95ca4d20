"""What the chat pages and acks show: the channel list, a channel's members and title, the
channel page, and messages as data (`message_dict`, for programs; browsers get the HTML of
app/chat/fragments.py).

Page builders decide, views render: which message is the first unread, whether opening the
page reads the newest messages, what the menu badge shows then. Reads only: a page that
marks messages read says so (`ChannelPage.marks_read`) and its view calls `do_read`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import User
from ...extensions import db
from ...members.services import member_choices
from ...paths import path_for
from ...permissions import can, require
from ...text import fold
from ..models import Channel, ChannelMember, Message
from .access import ChannelAccess, access_channel, history
from .inputs import DIRECT_MAX_OTHERS
from .live_reads import statuses
from .unread_reads import Unread, unread_counts

PAGE_SIZE = 50
MEMBERS_SHOWN = 100


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def message_dict(message: Message) -> dict:
    """A message as data (docs/realtime.md). Deleted: no body, same id."""
    deleted = message.deleted_at is not None
    return {
        "id": message.id,
        "channel_id": message.channel_id,
        "client_id": message.client_id,
        "author": {"id": message.author_id, "name": message.author.display_name},
        "body_html": "" if deleted else message.body_html,
        "created_at": _iso(message.created_at),
        "edited_at": _iso(message.edited_at),
        "deleted": deleted,
    }


def message_path(message: Message) -> str:
    return path_for("chat.channel", channel_id=message.channel_id) + f"#message-{message.id}"


# The channel list -------------------------------------------------------------------------------

@dataclass
class ChannelItem:
    """A line of the channel list."""

    channel: Channel
    membership: ChannelMember | None
    title: str
    partners: list[tuple[int, str]] = field(default_factory=list)
    unread: int = 0

    @property
    def muted(self) -> bool:
        return bool(self.membership and self.membership.muted)


@dataclass
class ChannelList:
    channels: list[ChannelItem]
    directs: list[ChannelItem]
    joinable: list[ChannelItem]
    unread: Unread

    def all(self) -> list[ChannelItem]:
        return self.channels + self.directs + self.joinable

    def partner_ids(self) -> list[int]:
        return [uid for item in self.directs for uid, _name in item.partners]


def direct_title(partners: list[tuple[int, str]]) -> str:
    names = [name for _id, name in partners]
    return ", ".join(names) if names else str(_l("Vous seul·e"))


def channel_list(actor: User, q: str = "") -> ChannelList:
    """The member's channels and conversations, and the public channels they could join,
    optionally filtered by name (accents and case ignored). Four queries."""
    require(actor, "chat.use")
    rows = db.session.execute(
        select(ChannelMember, Channel).join(Channel, Channel.id == ChannelMember.channel_id)
        .where(ChannelMember.user_id == actor.id, Channel.archived_at.is_(None))).all()
    joinable = list(db.session.scalars(
        select(Channel).where(Channel.kind == "public", Channel.owner_type.is_(None),
                              Channel.archived_at.is_(None),
                              Channel.id.not_in(select(ChannelMember.channel_id).where(
                                  ChannelMember.user_id == actor.id)))
        .order_by(Channel.name)))
    unread = unread_counts(actor)
    direct_ids = [channel.id for _m, channel in rows if channel.is_direct]
    partners: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if direct_ids:
        for channel_id, user_id, name in db.session.execute(
                select(ChannelMember.channel_id, User.id, User.display_name)
                .join(User, User.id == ChannelMember.user_id)
                .where(ChannelMember.channel_id.in_(direct_ids),
                       ChannelMember.user_id != actor.id)
                .order_by(User.display_name, User.id)):
            partners[channel_id].append((user_id, name))
    channels, directs = [], []
    for membership, channel in rows:
        if channel.is_direct:
            item = ChannelItem(channel, membership, direct_title(partners[channel.id]),
                               partners[channel.id], unread.channels.get(channel.id, 0))
            directs.append(item)
        else:
            channels.append(ChannelItem(channel, membership, channel.name,
                                        unread=unread.channels.get(channel.id, 0)))
    others = [ChannelItem(channel, None, channel.name) for channel in joinable]
    needle = fold(" ".join((q or "").split()))
    if needle:
        channels, directs, others = ([item for item in items if needle in fold(item.title)]
                                     for items in (channels, directs, others))
    channels.sort(key=lambda item: (fold(item.title), item.channel.id))
    directs.sort(key=lambda item: -item.channel.last_message_id)
    return ChannelList(channels, directs, others, unread)


# A channel ------------------------------------------------------------------------------------

@dataclass
class MemberView:
    user_id: int
    name: str
    role: str


def channel_members(access: ChannelAccess, limit: int = MEMBERS_SHOWN) -> tuple[
        list[MemberView], int]:
    """Members to show beside a conversation (by name) and how many there are."""
    rows = db.session.execute(
        select(ChannelMember.user_id, User.display_name, ChannelMember.role,
               func.count().over())
        .join(User, User.id == ChannelMember.user_id)
        .where(ChannelMember.channel_id == access.channel.id)
        .order_by(User.display_name, User.id).limit(limit)).all()
    total = rows[0][3] if rows else 0
    return [MemberView(uid, name, role) for uid, name, role, _n in rows], total


def channel_title(actor: User, access: ChannelAccess,
                  members: list[MemberView] | None = None) -> str:
    if not access.channel.is_direct:
        return access.channel.name
    if members is None:
        members, _total = channel_members(access, limit=DIRECT_MAX_OTHERS + 1)
    return direct_title([(m.user_id, m.name) for m in members if m.user_id != actor.id])


def channel_dict(actor: User, access: ChannelAccess) -> dict:
    """What `chat:join` answers."""
    membership = access.membership
    unread = unread_counts(actor).channels.get(access.channel.id, 0) if membership else 0
    return {"id": access.channel.id, "name": channel_title(actor, access),
            "kind": access.channel.kind,
            "last_read_id": membership.last_read_id if membership else 0,
            "last_message_id": access.channel.last_message_id, "unread": unread}


@dataclass
class ChannelPage:
    """A channel as its page shows it to one member."""

    access: ChannelAccess
    messages: list[Message]
    has_older: bool
    before_id: int | None
    lists: ChannelList
    members: list[MemberView]
    member_count: int
    title: str
    statuses: dict[int, str]
    first_unread: int | None
    # Active members one may invite (not members yet); None: the member may not invite.
    invite_choices: list[tuple[int, str]] | None
    # Opening the newest page reads what it shows (see views.channel); then the marker
    # moves to `read_up_to` and the menu badge shows `badge`.
    marks_read: bool
    read_up_to: int
    badge: int
    can_post: bool
    can_manage: bool

    @property
    def channel(self) -> Channel:
        return self.access.channel


def channel_page(actor: User, channel_id: int, before_id: int | None = None, *,
                 reading: bool = True) -> ChannelPage:
    """The messages before `before_id` (the newest without it), the channel list, the
    members. `reading`: the member opened the page to read it; False when it comes back
    with a message the server refused (nothing more is read then)."""
    access = access_channel(actor, channel_id)
    channel, membership = access.channel, access.membership
    messages, has_older = history(access, before_id=before_id, limit=PAGE_SIZE)
    lists = channel_list(actor)
    members, member_count = channel_members(access)
    last_read_id = membership.last_read_id if membership else 0
    first_unread = None
    if membership is not None and before_id is None:
        first_unread = next((m.id for m in messages if m.id > last_read_id
                             and m.author_id != actor.id and m.deleted_at is None), None)
    invite_choices = None
    if can(actor, "chat.channel.invite", access):
        invite_choices = member_choices({m.user_id for m in members})
    marks_read = (reading and membership is not None and before_id is None
                  and channel.last_message_id > last_read_id)
    badge = lists.unread.total
    if marks_read and not membership.muted:
        badge -= lists.unread.channels.get(channel.id, 0)
    return ChannelPage(
        access=access, messages=messages, has_older=has_older, before_id=before_id,
        lists=lists, members=members, member_count=member_count,
        title=channel_title(actor, access, members),
        statuses=statuses([m.user_id for m in members] + lists.partner_ids()),
        first_unread=first_unread, invite_choices=invite_choices, marks_read=marks_read,
        read_up_to=channel.last_message_id if marks_read else last_read_id, badge=badge,
        can_post=can(actor, "chat.channel.post", access),
        can_manage=can(actor, "chat.channel.manage", access))
