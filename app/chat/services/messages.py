"""Sending, editing and deleting messages, and who hears of it.

Delivery guarantees live here:

- sending locks the channel row before inserting, so message ids increase within a channel
  in commit order and "everything after id X" never skips a message committed later with a
  smaller id;
- a message is identified by (author, client_id): a retried send returns the stored message
  and publishes nothing; two concurrent retries meet on the unique constraint and the loser
  returns the winner's row (savepoint + IntegrityError).

Live events carry ids, not markup: each viewer fetches the message rendered for them
(`chat:history` with `ids` / `after_id`, app/chat/fragments.py), so who may edit or delete
is decided on the server only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...db import utcnow
from ...errors import Invalid, NotFound, RateLimited
from ...extensions import db, limiter
from ...mentions import mentioned_ids, render_with_mentions
from ...moderation.log import do_log
from ...notifications import services as notifications
from ...paths import path_for
from ...permissions import can, require
from ...realtime import publish
from ...sanitize import to_plain_text
from ..models import Channel, ChannelMember, Message, MessageRevision
from ..presence import get_presence
from .access import ChannelAccess, MessageAccess, access_channel, access_message, channel_room
from .inputs import clean_body, clean_client_id, clean_reason
from .pages import message_path
from .unread import do_advance_marker, do_forget_badges, do_publish_unread

EXCERPT = 140


@dataclass
class Sent:
    message: Message
    created: bool
    access: ChannelAccess


def _by_client_id(author_id: int, client_id: str) -> Message | None:
    return db.session.scalar(
        select(Message).where(Message.author_id == author_id, Message.client_id == client_id)
        .options(joinedload(Message.author, innerjoin=True)))


def _same_message(existing: Message, access: ChannelAccess) -> Sent:
    if existing.channel_id != access.channel.id:
        raise Invalid(_l("Cet identifiant de message a déjà servi ailleurs."), field="client_id")
    return Sent(existing, False, access)


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


# Sending ---------------------------------------------------------------------------------------

def check_send(actor: User, channel_id: int, body: object, client_id: object) -> Sent:
    """Send a message, or find the one this member already sent with this client_id."""
    client_id = clean_client_id(client_id)
    body = clean_body(body)
    # The channel row stays locked until commit: the messages of a channel are numbered
    # and committed one after the other.
    access = access_channel(actor, channel_id, lock=True)
    require(actor, "chat.channel.post", access)
    existing = _by_client_id(actor.id, client_id)
    if existing is not None:
        return _same_message(existing, access)
    check_rate(actor)
    return do_send(actor, access, body, client_id)


def do_send(actor: User, access: ChannelAccess, body: str, client_id: str) -> Sent:
    """Store and announce a message in a channel `access` holds locked."""
    channel = access.channel
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
        return _same_message(existing, access)
    message.author = actor
    previous_last = channel.last_message_id or 0
    channel.last_message_id = message.id
    db.session.execute(
        update(ChannelMember)
        .where(ChannelMember.channel_id == channel.id, ChannelMember.user_id != actor.id)
        .values(unread=ChannelMember.unread + 1).execution_options(synchronize_session=False))
    do_advance_marker(channel.id, actor.id, message.id)
    do_announce_message(actor, access, message, mentioned, previous_last)
    return Sent(message, True, access)


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
    # Level "all" tells once per burst: only members who had read everything, and are not
    # looking at the channel. One call, whatever their number.
    everyone = [user_id for user_id, membership in memberships.items()
                if user_id != actor.id and user_id not in told and not membership.muted
                and membership.notify_level == "all" and user_id not in viewers
                and membership.last_read_id >= previous_last]
    notifications.do_notify_many(
        everyone, "mention", actor, "chat_channel", channel.id, url=message_path(message),
        text=str(_l("%(name)s vous a écrit %(place)s : « %(excerpt)s »",
                    name=actor.display_name, place=_notification_place(channel),
                    excerpt=to_plain_text(message.body, EXCERPT))))
    publish(channel_room(channel.id), "chat:message",
            {"type": "chat", "op": "message", "channel_id": channel.id,
             "message_id": message.id, "client_id": message.client_id,
             "author_id": message.author_id})
    others = [uid for uid in memberships if uid != actor.id and uid not in viewers]
    statuses = presence.statuses(others)
    do_publish_unread(channel, [uid for uid in others if statuses.get(uid) != "offline"])
    do_forget_badges(memberships)


def _notification_place(channel: Channel) -> str:
    if channel.is_direct:
        return str(_l("dans une conversation"))
    return str(_l("dans « %(name)s »", name=channel.name))


def _notify_mentions(actor: User, channel: Channel, message: Message,
                     mentioned: dict[int, User], memberships: dict) -> set[int]:
    """Mentioned members who can read the channel and did not silence it."""
    told: set[int] = set()
    open_channel = channel.kind == "public" and channel.owner_type is None
    for user_id in mentioned:
        if user_id == actor.id:
            continue
        membership = memberships.get(user_id)
        if membership is None and not open_channel:
            continue  # cannot read it: a mention must not reveal a private conversation
        if membership is not None and (membership.muted or membership.notify_level == "none"):
            continue
        told.add(user_id)
    notifications.do_notify_many(
        told, "mention", actor, "chat_message", message.id, url=message_path(message),
        text=str(_l("%(name)s vous a mentionné·e %(place)s : « %(excerpt)s »",
                    name=actor.display_name, place=_notification_place(channel),
                    excerpt=to_plain_text(message.body, EXCERPT))))
    return told


# Editing and deleting ----------------------------------------------------------------------------

def check_edit(actor: User, message_id: int, body: object) -> Message:
    target = access_message(actor, message_id)
    if target.message.deleted_at is not None:
        raise NotFound()
    require(actor, "chat.message.edit", target)
    body = clean_body(body)
    if body == target.message.body:
        return target.message
    return do_edit(actor, target, body)


def do_edit(actor: User, target: MessageAccess, body: str) -> Message:
    """A new body; the previous one is kept as a revision, newly mentioned members told."""
    message = target.message
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
    publish(channel_room(message.channel_id), "chat:message_updated",
            {"type": "chat", "op": "updated", "channel_id": message.channel_id,
             "message_id": message.id})
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
    return do_delete(actor, target, clean_reason(reason))


def do_delete(actor: User, target: MessageAccess, reason: str) -> Message:
    message = target.message
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
                      place=_notification_place(channel), reason=reason)
        else:
            text = _l("L'équipe d'animation a supprimé votre message %(place)s",
                      place=_notification_place(channel))
        notifications.do_notify(message.author_id, "moderation", actor, "chat_channel",
                                channel.id, url=path_for("chat.channel", channel_id=channel.id),
                                text=str(text))
    publish(channel_room(channel.id), "chat:message_deleted",
            {"type": "chat", "op": "deleted", "channel_id": channel.id,
             "message_id": message.id})
    return message
