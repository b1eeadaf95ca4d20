"""Channels and who is in them: named channels, direct conversations, channels owned by
another feature (a project space), joining, inviting, leaving, per-member preferences.

A new member starts with everything before now read (joining a busy channel does not bring
500 unread); a removed member's sockets leave the channel's room at once. Two people opening
the same conversation at the same moment meet on its unique key.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...db import on_commit, utcnow, valid_id
from ...errors import Invalid, NotFound
from ...extensions import db
from ...owned import do_create_owned, do_rename_owned
from ...permissions import require
from ...realtime import leave_room_after_commit, publish, user_room
from ...text import fold
from ..models import NOTIFY_LEVELS, Channel, ChannelMember
from ..presence import get_presence
from .access import ChannelAccess, access_channel, channel_room, membership
from .inputs import DIRECT_MAX_OTHERS, INVITE_MAX, clean_name, clean_topic
from .unread import do_forget_badges, do_publish_unread

# Named channels ------------------------------------------------------------------------------

def check_create_channel(actor: User, name: object, topic: object = "",
                         kind: str = "public") -> Channel:
    """A public or private channel; its creator is its first member and admin."""
    require(actor, "chat.channel.create")
    if kind not in ("public", "private"):
        raise Invalid(_l("Type de salon inconnu."), field="kind")
    name = clean_name(name)
    topic = clean_topic(topic)
    taken = {fold(n) for n in db.session.scalars(select(Channel.name).where(
        Channel.kind.in_(("public", "private")), Channel.archived_at.is_(None)))}
    if fold(name) in taken:
        raise Invalid(_l("Un salon porte déjà ce nom."), field="name")
    return do_create_channel(actor, name, topic, kind)


def do_create_channel(actor: User, name: str, topic: str, kind: str) -> Channel:
    channel = Channel(kind=kind, name=name, topic=topic, created_by_id=actor.id,
                      created_at=utcnow(), last_message_id=0)
    db.session.add(channel)
    db.session.flush()
    do_add_member(channel, actor, role="admin")
    return channel


def do_create_owned_channel(name: str, owner_type: str, owner_id: int) -> Channel:
    """A channel owned by another feature (a project space), which adds and removes its
    members with `do_add_member` / `do_remove_member`."""
    return do_create_owned(Channel, name, owner_type, owner_id, kind="owned",
                           created_at=utcnow(), last_message_id=0)


def do_rename_owned_channel(channel_id: int, name: str) -> None:
    do_rename_owned(Channel, channel_id, name)


# Members ---------------------------------------------------------------------------------------

def do_add_member(channel: Channel, user: User, *, role: str = "member",
                  announce: bool = True) -> ChannelMember | None:
    """Make `user` a member (nothing if they already are; None then). They start with
    everything before now read: joining a busy channel does not bring 500 unread."""
    if membership(channel.id, user.id) is not None:
        return None
    added = ChannelMember(
        channel_id=channel.id, user_id=user.id, role=role, joined_at=utcnow(),
        last_read_id=channel.last_message_id or 0, unread=0, muted=False,
        notify_level="all" if channel.kind == "direct" else "mentions")
    try:
        with db.session.begin_nested():
            db.session.add(added)
    except IntegrityError:  # added at the same moment by another request
        return None
    if announce:
        publish(user_room(user.id), "chat:membership",
                {"type": "chat", "op": "joined", "channel_id": channel.id})
    return added


def do_remove_member(channel: Channel, user_id: int) -> bool:
    """Remove a member: their sockets leave the channel's room, their tabs drop it."""
    removed = membership(channel.id, user_id)
    if removed is None:
        return False
    was_admin = removed.role == "admin"
    db.session.delete(removed)
    db.session.flush()
    if was_admin and channel.kind in ("public", "private"):
        _keep_an_admin(channel)
    publish(user_room(user_id), "chat:membership",
            {"type": "chat", "op": "left", "channel_id": channel.id})
    leave_room_after_commit(user_id, channel_room(channel.id))
    presence = get_presence()
    on_commit(lambda: presence.forget_viewer(user_id, channel.id))
    do_forget_badges([user_id])
    return True


def _keep_an_admin(channel: Channel) -> None:
    """A private channel whose last admin left gets its longest-standing member as admin."""
    has_admin = db.session.scalar(select(ChannelMember.user_id).where(
        ChannelMember.channel_id == channel.id, ChannelMember.role == "admin").limit(1))
    if has_admin is not None:
        return
    oldest = db.session.scalar(
        select(ChannelMember).where(ChannelMember.channel_id == channel.id)
        .order_by(ChannelMember.joined_at, ChannelMember.user_id).limit(1))
    if oldest is not None:
        oldest.role = "admin"


def check_join(actor: User, channel_id: int) -> ChannelAccess:
    """Join a public channel (already a member: nothing changes)."""
    access = access_channel(actor, channel_id)
    if access.is_member:
        return access
    require(actor, "chat.channel.join", access)
    access.membership = do_add_member(access.channel, actor)
    return access


def check_leave(actor: User, channel_id: int) -> None:
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.leave", access)
    do_remove_member(access.channel, actor.id)


def _active_users(user_ids: list[int]) -> list[User]:
    ids = list(dict.fromkeys(user_ids))
    if not all(valid_id(i) for i in ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    users = list(db.session.scalars(select(User).where(User.id.in_(ids),
                                                       User.status == "active")))
    if len(users) != len(ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    return users


def check_invite(actor: User, channel_id: int, user_ids: list[int]) -> list[User]:
    """Add members to a channel (members invite to private channels). Returns those added."""
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.invite", access)
    if not all(valid_id(uid) for uid in user_ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    user_ids = [uid for uid in user_ids if uid != actor.id]
    if not user_ids:
        raise Invalid(_l("Choisissez au moins un membre à inviter."), field="members")
    if len(set(user_ids)) > INVITE_MAX:
        raise Invalid(_l("%(n)d membres au plus à la fois.", n=INVITE_MAX), field="members")
    return [user for user in _active_users(user_ids)
            if do_add_member(access.channel, user) is not None]


def check_remove_member(actor: User, channel_id: int, user_id: int) -> None:
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.manage", access)
    if user_id == actor.id:
        raise Invalid(_l("Pour partir, utilisez « Quitter le salon »."))
    if not do_remove_member(access.channel, user_id):
        raise NotFound()


# Direct conversations ---------------------------------------------------------------------------

def check_open_direct(actor: User, user_ids: list[int]) -> Channel:
    """The conversation between `actor` and 1 to 7 others: the same people always find the
    same conversation again (`direct_key`)."""
    require(actor, "chat.use")
    if not all(valid_id(uid) for uid in user_ids):
        raise Invalid(_l("Membre inconnu."), field="members")
    others = [uid for uid in dict.fromkeys(user_ids) if uid != actor.id]
    if not others:
        raise Invalid(_l("Choisissez au moins un membre."), field="members")
    if len(others) > DIRECT_MAX_OTHERS:
        raise Invalid(_l("Une conversation réunit %(n)d personnes au plus.",
                         n=DIRECT_MAX_OTHERS + 1), field="members")
    users = _active_users(others)
    key = "-".join(str(uid) for uid in sorted([actor.id, *others]))
    existing = db.session.scalar(select(Channel).where(Channel.direct_key == key))
    if existing is not None:
        return existing
    return do_open_direct(actor, users, key)


def do_open_direct(actor: User, others: list[User], key: str) -> Channel:
    channel = Channel(kind="direct", direct_key=key, created_by_id=actor.id,
                      created_at=utcnow(), last_message_id=0)
    try:
        with db.session.begin_nested():
            db.session.add(channel)
    except IntegrityError:  # the same conversation opened at the same moment
        return db.session.scalar(select(Channel).where(Channel.direct_key == key))
    for user in [actor, *others]:
        do_add_member(channel, user)
    return channel


# Preferences ------------------------------------------------------------------------------------

def check_set_preferences(actor: User, channel_id: int, *, muted: bool,
                          notify_level: str) -> ChannelMember:
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.read", access)
    if notify_level not in NOTIFY_LEVELS:
        raise Invalid(_l("Niveau de notification inconnu."), field="notify_level")
    return do_set_preferences(actor, access, muted=bool(muted), notify_level=notify_level)


def do_set_preferences(actor: User, access: ChannelAccess, *, muted: bool,
                       notify_level: str) -> ChannelMember:
    mine = access.membership
    mine.muted = muted
    mine.notify_level = notify_level
    db.session.flush()
    do_publish_unread(access.channel, [actor.id])
    return mine
