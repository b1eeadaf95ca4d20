"""Chat services: the only code that changes channels, memberships and messages.

Naming as everywhere (docs/ARCHITECTURE): `access_*` loads and authorises, `check_*`
validates raw input and acts, `do_*` acts on valid input; nothing here commits. Live events
(`docs/realtime.md`, "### Chat") are published after the caller's commit.

Delivery guarantees live here:

- sending locks the channel row before inserting, so message ids increase within a channel
  in commit order and "everything after id X" never skips a message committed later with a
  smaller id;
- a message is identified by (author, client_id): a retried send returns the stored
  message and publishes nothing; two concurrent retries meet on the unique constraint and
  the loser returns the winner's row (savepoint + IntegrityError).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..db import load_with_membership, on_commit, utcnow, valid_id
from ..errors import Invalid, NotFound, RateLimited, TooLong
from ..extensions import db, limiter
from ..mentions import mentioned_ids, render_with_mentions
from ..moderation.log import do_log
from ..notifications import services as notifications
from ..paths import path_for
from ..permissions import can, require
from ..realtime import emit_now, leave_room_after_commit, publish, user_room
from ..sanitize import to_plain_text
from ..text import fold
from .models import NOTIFY_LEVELS, Channel, ChannelMember, Message, MessageRevision
from .presence import get_presence

CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
NAME_MAX = 80
TOPIC_MAX = 250
REASON_MAX = 1000
DIRECT_MAX_OTHERS = 7  # a direct conversation has at most 8 people
INVITE_MAX = 50
HISTORY_DEFAULT = 50
HISTORY_MAX = 100
PAGE_SIZE = 50
MEMBERS_SHOWN = 100
BADGE_SECONDS = 30
EXCERPT = 140


# Access ------------------------------------------------------------------------------------

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


def _membership(channel_id: int, user_id: int) -> ChannelMember | None:
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


# Serialisation -----------------------------------------------------------------------------

def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def message_dict(message: Message) -> dict:
    """A message as clients receive it (docs/realtime.md). Deleted: no body, same id."""
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


# Reading -----------------------------------------------------------------------------------

def history(access: ChannelAccess, *, before_id: int | None = None,
            after_id: int | None = None,
            limit: int = HISTORY_DEFAULT) -> tuple[list[Message], bool]:
    """One page of messages in ascending id order, and whether there are more.

    `after_id`: the oldest messages after it (catching up); otherwise the newest before
    `before_id` (scrolling back), or the newest of all. One query, by keyset.
    """
    limit = max(1, min(int(limit), HISTORY_MAX))
    stmt = (select(Message).where(Message.channel_id == access.channel.id)
            .options(joinedload(Message.author, innerjoin=True)))
    if after_id is not None:
        rows = list(db.session.scalars(
            stmt.where(Message.id > after_id).order_by(Message.id).limit(limit + 1)))
        return rows[:limit], len(rows) > limit
    if before_id is not None:
        stmt = stmt.where(Message.id < before_id)
    rows = list(db.session.scalars(stmt.order_by(Message.id.desc()).limit(limit + 1)))
    return list(reversed(rows[:limit])), len(rows) > limit


def access_history(actor: User, channel_id: int, *, before_id: int | None = None,
                  after_id: int | None = None,
                  limit: int = HISTORY_DEFAULT) -> tuple[list[Message], bool]:
    if before_id is not None and after_id is not None:
        raise Invalid(_l("Demandez les messages avant ou après un message, pas les deux."))
    for value in (before_id, after_id):
        if value is not None and not valid_id(value):
            raise Invalid()
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= HISTORY_MAX:
        raise Invalid()
    access = access_channel(actor, channel_id)
    return history(access, before_id=before_id, after_id=after_id, limit=limit)


@dataclass
class Unread:
    total: int = 0
    channels: dict[int, int] = field(default_factory=dict)


def _unread_rows(user_ids: list[int]):
    """(user_id, channel_id, muted, count) for every channel with unread messages of
    these members."""
    return db.session.execute(
        select(ChannelMember.user_id, ChannelMember.channel_id, ChannelMember.muted,
               ChannelMember.unread)
        .where(ChannelMember.user_id.in_(user_ids), ChannelMember.unread > 0))


def _unread_after(marker):
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
    cache = current_app.extensions.setdefault("chat.badge", {})
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


def remember_badge(actor: User, total: int) -> None:
    """A page that just counted the member's unread messages saves the badge a query."""
    cache = current_app.extensions.setdefault("chat.badge", {})
    cache[actor.id] = (time.monotonic(), total)


def _badges_changed(user_ids) -> None:
    cache = current_app.extensions.setdefault("chat.badge", {})
    ids = list(user_ids)

    def drop() -> None:
        for uid in ids:
            cache.pop(uid, None)
    on_commit(drop)


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


# Text ---------------------------------------------------------------------------------------

def _clean_text(value: object, *, field: str) -> str:
    if not isinstance(value, str):
        raise Invalid(field=field)
    if "\x00" in value:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."), field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate from JSON ("\ud800")
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."),
                      field=field) from error
    return value


def clean_body(body: object) -> str:
    limit = current_app.config["CHAT_MESSAGE_MAX"]
    text = _clean_text(body, field="body").replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_l("Le message est vide."), field="body")
    if len(text) > limit:
        raise TooLong(_l("Le message est trop long (%(n)d caractères au plus).", n=limit),
                      field="body")
    return text


def _clean_name(name: object) -> str:
    text = " ".join(_clean_text(name if name is not None else "", field="name").split())
    if not text:
        raise Invalid(_l("Le nom du salon est obligatoire."), field="name")
    if len(text) > NAME_MAX:
        raise Invalid(_l("Le nom est trop long (%(n)d caractères au plus).", n=NAME_MAX),
                      field="name")
    return text


def _clean_topic(topic: object) -> str:
    text = " ".join(_clean_text(topic if topic is not None else "", field="topic").split())
    if len(text) > TOPIC_MAX:
        raise Invalid(_l("Le sujet est trop long (%(n)d caractères au plus).", n=TOPIC_MAX),
                      field="topic")
    return text


def _clean_reason(reason: object) -> str:
    text = _clean_text(reason if reason is not None else "", field="reason").strip()
    if len(text) > REASON_MAX:
        raise Invalid(_l("Le motif est trop long."), field="reason")
    return text


def message_path(message: Message) -> str:
    return path_for("chat.channel", channel_id=message.channel_id) + f"#message-{message.id}"


# Channels -----------------------------------------------------------------------------------

def _channel_room(channel_id: int) -> str:
    return f"channel:{channel_id}"


def check_create_channel(actor: User, name: object, topic: object = "",
                         kind: str = "public") -> Channel:
    """A public or private channel; its creator is its first member and admin."""
    require(actor, "chat.channel.create")
    if kind not in ("public", "private"):
        raise Invalid(_l("Type de salon inconnu."), field="kind")
    name = _clean_name(name)
    topic = _clean_topic(topic)
    taken = {fold(n) for n in db.session.scalars(select(Channel.name).where(
        Channel.kind.in_(("public", "private")), Channel.archived_at.is_(None)))}
    if fold(name) in taken:
        raise Invalid(_l("Un salon porte déjà ce nom."), field="name")
    channel = Channel(kind=kind, name=name, topic=topic, created_by_id=actor.id,
                      created_at=utcnow(), last_message_id=0)
    db.session.add(channel)
    db.session.flush()
    do_add_member(channel, actor, role="admin")
    return channel


def do_create_owned_channel(name: str, owner_type: str, owner_id: int) -> Channel:
    """A channel owned by another feature (a project space), which adds and removes its
    members with `do_add_member` / `do_remove_member`."""
    channel = Channel(kind="owned", name=name[:NAME_MAX], owner_type=owner_type,
                      owner_id=owner_id, created_at=utcnow(), last_message_id=0)
    db.session.add(channel)
    db.session.flush()
    return channel


def do_rename_owned_channel(channel_id: int, name: str) -> None:
    """An owned channel carries its owner's name: a renamed project renames its channel."""
    channel = db.session.get(Channel, channel_id)
    if channel is None or channel.owner_type is None:
        raise NotFound()
    channel.name = name[:NAME_MAX]


def owned_channel(owner_type: str, owner_id: int) -> Channel | None:
    return db.session.scalar(select(Channel).where(Channel.owner_type == owner_type,
                                                   Channel.owner_id == owner_id))


def do_add_member(channel: Channel, user: User, *, role: str = "member",
                  announce: bool = True) -> ChannelMember | None:
    """Make `user` a member (nothing if they already are; None then). They start with
    everything before now read: joining a busy channel does not bring 500 unread."""
    if _membership(channel.id, user.id) is not None:
        return None
    membership = ChannelMember(
        channel_id=channel.id, user_id=user.id, role=role, joined_at=utcnow(),
        last_read_id=channel.last_message_id or 0, unread=0, muted=False,
        notify_level="all" if channel.kind == "direct" else "mentions")
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:  # added at the same moment by another request
        return None
    if announce:
        publish(user_room(user.id), "chat:membership",
                {"type": "chat", "op": "joined", "channel_id": channel.id})
    return membership


def do_remove_member(channel: Channel, user_id: int) -> bool:
    """Remove a member: their sockets leave the channel's room, their tabs drop it."""
    membership = _membership(channel.id, user_id)
    if membership is None:
        return False
    was_admin = membership.role == "admin"
    db.session.delete(membership)
    db.session.flush()
    if was_admin and channel.kind in ("public", "private"):
        _keep_an_admin(channel)
    publish(user_room(user_id), "chat:membership",
            {"type": "chat", "op": "left", "channel_id": channel.id})
    leave_room_after_commit(user_id, _channel_room(channel.id))
    presence = get_presence()
    on_commit(lambda: presence.forget_viewer(user_id, channel.id))
    _badges_changed([user_id])
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
    added = [user for user in _active_users(user_ids)
             if do_add_member(access.channel, user) is not None]
    return added


def check_remove_member(actor: User, channel_id: int, user_id: int) -> None:
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.manage", access)
    if user_id == actor.id:
        raise Invalid(_l("Pour partir, utilisez « Quitter le salon »."))
    if not do_remove_member(access.channel, user_id):
        raise NotFound()


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
    channel = Channel(kind="direct", direct_key=key, created_by_id=actor.id,
                      created_at=utcnow(), last_message_id=0)
    try:
        with db.session.begin_nested():
            db.session.add(channel)
    except IntegrityError:  # the same conversation opened at the same moment
        return db.session.scalar(select(Channel).where(Channel.direct_key == key))
    for user in [actor, *users]:
        do_add_member(channel, user)
    return channel


def check_set_preferences(actor: User, channel_id: int, *, muted: bool,
                          notify_level: str) -> ChannelMember:
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.read", access)
    if notify_level not in NOTIFY_LEVELS:
        raise Invalid(_l("Niveau de notification inconnu."), field="notify_level")
    membership = access.membership
    membership.muted = bool(muted)
    membership.notify_level = notify_level
    db.session.flush()
    _publish_unread(access.channel, [actor.id])
    return membership


# Messages -----------------------------------------------------------------------------------

@dataclass
class Sent:
    message: Message
    created: bool


def _by_client_id(author_id: int, client_id: str) -> Message | None:
    return db.session.scalar(
        select(Message).where(Message.author_id == author_id, Message.client_id == client_id)
        .options(joinedload(Message.author, innerjoin=True)))


def _same_message(existing: Message, channel: Channel) -> Sent:
    if existing.channel_id != channel.id:
        raise Invalid(_l("Cet identifiant de message a déjà servi ailleurs."), field="client_id")
    return Sent(existing, False)


def check_rate(actor: User) -> None:
    """CHAT_RATE_LIMIT per member, counted in Flask-Limiter's storage (shared through
    Redis by every process when configured)."""
    if not limiter.enabled:
        return
    items = parse_many(current_app.config["CHAT_RATE_LIMIT"])
    strategy = limiter.limiter
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    keys = ("chat", prefix, str(actor.id))
    if not all(strategy.test(item, *keys) for item in items):
        raise RateLimited(_l("Vous envoyez beaucoup de messages d'affilée : patientez un "
                             "instant avant le suivant."))
    for item in items:
        strategy.hit(item, *keys)


def check_send(actor: User, channel_id: int, body: object, client_id: object) -> Sent:
    """Send a message, or find the one this member already sent with this client_id."""
    if not isinstance(client_id, str) or not CLIENT_ID_RE.fullmatch(client_id):
        raise Invalid(_l("Identifiant de message invalide."), field="client_id")
    body = clean_body(body)
    # The channel row stays locked until commit: the messages of a channel are numbered
    # and committed one after the other.
    access = access_channel(actor, channel_id, lock=True)
    require(actor, "chat.channel.post", access)
    channel = access.channel
    existing = _by_client_id(actor.id, client_id)
    if existing is not None:
        return _same_message(existing, channel)
    check_rate(actor)
    html, mentioned = render_with_mentions(body)
    message = Message(channel_id=channel.id, author_id=actor.id, client_id=client_id,
                      body=body, body_html=html, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        existing = _by_client_id(actor.id, client_id)
        if existing is None:
            raise
        return _same_message(existing, channel)
    message.author = actor
    previous_last = channel.last_message_id or 0
    channel.last_message_id = message.id
    db.session.execute(
        update(ChannelMember)
        .where(ChannelMember.channel_id == channel.id, ChannelMember.user_id != actor.id)
        .values(unread=ChannelMember.unread + 1).execution_options(synchronize_session=False))
    _advance_marker(channel.id, actor.id, message.id)
    do_announce_message(actor, access, message, mentioned, previous_last)
    return Sent(message, True)


def _advance_marker(channel_id: int, user_id: int, last_read_id: int) -> bool:
    """Move a read marker forward only (two tabs racing never move it back)."""
    result = db.session.execute(
        update(ChannelMember)
        .where(ChannelMember.channel_id == channel_id, ChannelMember.user_id == user_id,
               ChannelMember.last_read_id < last_read_id)
        .values(last_read_id=last_read_id, unread=_unread_after(last_read_id))
        .execution_options(synchronize_session=False))
    membership = db.session.identity_map.get(
        db.session.identity_key(ChannelMember, (channel_id, user_id)))
    if membership is not None:  # loaded earlier in this session: read it again if needed
        db.session.expire(membership, ["last_read_id", "unread"])
    return bool(result.rowcount)


def do_announce_message(actor: User, access: ChannelAccess, message: Message,
                        mentioned: dict[int, User], previous_last: int) -> None:
    """A new message: the live event for the channel, badges for members elsewhere, and
    notifications as each member chose (mentions, or every new conversation burst)."""
    channel = access.channel
    memberships = {row.user_id: row for row in db.session.execute(
        select(ChannelMember.user_id, ChannelMember.muted, ChannelMember.notify_level,
               ChannelMember.last_read_id)
        .where(ChannelMember.channel_id == channel.id))}
    presence = get_presence()
    viewers = presence.viewers(channel.id)
    told = _notify_mentions(actor, channel, message, mentioned, memberships)
    title = _notification_place(actor, channel)
    for user_id, membership in memberships.items():
        if (user_id == actor.id or user_id in told or membership.muted
                or membership.notify_level != "all" or user_id in viewers
                or membership.last_read_id < previous_last):
            # Level "all" tells once per burst: only when the member had read everything.
            continue
        notifications.do_notify(
            user_id, "mention", actor, "chat_channel", channel.id, url=message_path(message),
            text=str(_l("%(name)s vous a écrit %(place)s : « %(excerpt)s »",
                        name=actor.display_name, place=title,
                        excerpt=to_plain_text(message.body, EXCERPT))))
    publish(_channel_room(channel.id), "chat:message",
            {"type": "chat", "op": "message", "message": message_dict(message)})
    others = [uid for uid in memberships if uid != actor.id and uid not in viewers]
    statuses = presence.statuses(others)
    _publish_unread(channel, [uid for uid in others if statuses.get(uid) != "offline"])
    _badges_changed(memberships)


def _notification_place(actor: User, channel: Channel) -> str:
    if channel.is_direct:
        return str(_l("dans une conversation"))
    return str(_l("dans « %(name)s »", name=channel.name))


def _notify_mentions(actor: User, channel: Channel, message: Message,
                     mentioned: dict[int, User], memberships: dict,
                     already: set[int] = frozenset()) -> set[int]:
    """Mentioned members who can read the channel and did not silence it."""
    told: set[int] = set()
    open_channel = channel.kind == "public" and channel.owner_type is None
    for user_id in mentioned:
        if user_id == actor.id or user_id in already:
            continue
        membership = memberships.get(user_id)
        if membership is None and not open_channel:
            continue  # cannot read it: a mention must not reveal a private conversation
        if membership is not None and (membership.muted or membership.notify_level == "none"):
            continue
        notifications.do_notify(
            user_id, "mention", actor, "chat_message", message.id, url=message_path(message),
            text=str(_l("%(name)s vous a mentionné·e %(place)s : « %(excerpt)s »",
                        name=actor.display_name, place=_notification_place(actor, channel),
                        excerpt=to_plain_text(message.body, EXCERPT))))
        told.add(user_id)
    return told


def _publish_unread(channel: Channel, user_ids: list[int]) -> None:
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
    _badges_changed(user_ids)


def check_read(actor: User, channel_id: int, last_read_id: int) -> Unread:
    """Everything up to `last_read_id` is read (never beyond the newest message, never
    backwards). Other tabs of the member hear of it through `chat:unread`."""
    if not valid_id(last_read_id):
        raise Invalid()
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.read", access)
    target = min(last_read_id, access.channel.last_message_id or 0)
    if target > 0:
        _advance_marker(access.channel.id, actor.id, target)
    counts = unread_counts(actor)
    publish(user_room(actor.id), "chat:unread", {
        "type": "chat", "op": "unread", "channel_id": access.channel.id,
        "unread": counts.channels.get(access.channel.id, 0), "total_unread": counts.total,
        "last_message_id": access.channel.last_message_id})
    _badges_changed([actor.id])
    return counts


def check_edit(actor: User, message_id: int, body: object) -> Message:
    target = access_message(actor, message_id)
    message = target.message
    if message.deleted_at is not None:
        raise NotFound()
    require(actor, "chat.message.edit", target)
    body = clean_body(body)
    if body == message.body:
        return message
    db.session.add(MessageRevision(message_id=message.id, body=message.body,
                                   editor_id=actor.id, created_at=utcnow()))
    before = set(mentioned_ids(message.body))
    html, mentioned = render_with_mentions(body)
    message.body, message.body_html, message.edited_at = body, html, utcnow()
    new = {uid: user for uid, user in mentioned.items() if uid not in before}
    if new:
        memberships = {m.user_id: m for m in db.session.scalars(
            select(ChannelMember).where(ChannelMember.channel_id == message.channel_id,
                                        ChannelMember.user_id.in_(list(new))))}
        _notify_mentions(actor, target.access.channel, message, new, memberships)
    publish(_channel_room(message.channel_id), "chat:message_updated",
            {"type": "chat", "op": "updated", "message": message_dict(message)})
    return message


def check_delete(actor: User, message_id: int, reason: object = "") -> Message:
    """Soft delete: the row stays (moderators' log, history without holes). A moderator
    removing someone else's message is logged and the author told."""
    target = access_message(actor, message_id)
    message = target.message
    if message.deleted_at is not None:
        if message.author_id == actor.id or can(actor, "content.moderate"):
            return message  # a retried delete: done already
        raise NotFound()
    require(actor, "chat.message.delete", target)
    reason = _clean_reason(reason)
    message.deleted_at, message.deleted_by_id = utcnow(), actor.id
    message.deleted_reason = reason or None
    db.session.execute(
        update(ChannelMember)
        .where(ChannelMember.channel_id == message.channel_id,
               ChannelMember.user_id != message.author_id,
               ChannelMember.last_read_id < message.id, ChannelMember.unread > 0)
        .values(unread=ChannelMember.unread - 1).execution_options(synchronize_session=False))
    notifications.do_set_object_hidden("chat_message", message.id, True)
    channel = target.access.channel
    if message.author_id != actor.id:
        do_log(actor, "chat_message.delete", "chat_message", message.id,
               target_user_id=message.author_id, reason=reason, channel_id=channel.id,
               excerpt=to_plain_text(message.body, EXCERPT))
        if reason:
            text = _l("L'équipe d'animation a supprimé votre message %(place)s : %(reason)s",
                      place=_notification_place(actor, channel), reason=reason)
        else:
            text = _l("L'équipe d'animation a supprimé votre message %(place)s",
                      place=_notification_place(actor, channel))
        notifications.do_notify(message.author_id, "moderation", actor, "chat_channel",
                                channel.id, url=path_for("chat.channel", channel_id=channel.id),
                                text=str(text))
    publish(_channel_room(channel.id), "chat:message_deleted",
            {"type": "chat", "op": "deleted", "channel_id": channel.id,
             "message_id": message.id})
    return message


def revisions(actor: User, message_id: int) -> list[MessageRevision]:
    """Previous bodies of a message, newest first: its author and moderators."""
    target = access_message(actor, message_id)
    if target.message.author_id != actor.id:
        require(actor, "revisions.view")
    return list(db.session.scalars(
        select(MessageRevision).where(MessageRevision.message_id == message_id)
        .order_by(MessageRevision.id.desc())))


# Typing and presence --------------------------------------------------------------------------

def check_typing(actor: User, channel_id: int) -> bool:
    """Tell the channel that `actor` is typing, at most once per member and channel every
    3 s. Returns whether it was broadcast."""
    access = access_channel(actor, channel_id)
    require(actor, "chat.channel.post", access)
    presence = get_presence()
    if not presence.typing_allowed(actor.id, access.channel.id):
        return False
    publish(_channel_room(access.channel.id), "chat:typing",
            {"type": "chat", "op": "typing", "channel_id": access.channel.id,
             "user": {"id": actor.id, "name": actor.display_name}},
            skip_sid=sorted(presence.sids(actor.id)) or None)
    return True


def presence_partners(user_id: int) -> list[int]:
    """Members who share a channel with `user_id`."""
    mine = select(ChannelMember.channel_id).where(ChannelMember.user_id == user_id)
    stmt = (select(ChannelMember.user_id).distinct()
            .where(ChannelMember.channel_id.in_(mine), ChannelMember.user_id != user_id))
    return list(db.session.scalars(stmt))


def publish_presence(user_id: int, status: str) -> None:
    """`presence` to the members sharing a channel with `user_id` who are connected."""
    partners = presence_partners(user_id)
    if not partners:
        return
    statuses = get_presence().statuses(partners)
    payload = {"type": "presence", "user_id": user_id, "status": status}
    for partner in partners:
        if statuses.get(partner, "offline") != "offline":
            emit_now(user_room(partner), "presence", payload)


def statuses(user_ids: list[int]) -> dict[int, str]:
    return get_presence().statuses(user_ids)
