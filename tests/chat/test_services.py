"""Chat services: channels, conversations, sending (idempotent, ordered), history, read
markers and unread counts, edits and deletions, mentions and notification levels."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.chat import services
from app.chat.models import Channel, ChannelMember, Message, MessageRevision
from app.chat.services import messages as messages_module
from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied, RateLimited
from app.extensions import db
from app.moderation.models import ModerationAction
from app.notifications.models import Notification
from tests.chat.conftest import (
    client_id,
    create_channel,
    direct,
    invite,
    join,
    send,
)
from tests.factories import make_user
from tests.helpers import capture_events, count_queries


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Channels -------------------------------------------------------------------------------------

def test_any_member_creates_a_channel_and_is_its_admin(app, member):
    channel = create_channel(member, "  Tiers-lieux   ruraux ", topic="Animer un lieu")
    assert (channel.kind, channel.name, channel.topic) == ("public", "Tiers-lieux ruraux",
                                                            "Animer un lieu")
    membership = db.session.get(ChannelMember, (channel.id, member.id))
    assert membership.role == "admin" and membership.notify_level == "mentions"


@pytest.mark.parametrize(("name", "kind", "field"), [
    ("", "public", "name"), ("   ", "public", "name"), ("x" * 81, "public", "name"),
    ("Ok", "secret", "kind"), ("Ok", "direct", "kind"), (None, "public", "name"),
    ("a\x00b", "public", "name"),
])
def test_channel_creation_is_validated(app, member, name, kind, field):
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_channel(member, name, "", kind)
    assert error.value.field == field


def test_channel_names_are_unique_ignoring_case_and_accents(app, member, other):
    create_channel(member, "Mobilités")
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_channel(other, "mobilites", "", "private")
    assert error.value.field == "name"


def test_public_channel_join_and_leave(app, member, other, third):
    channel = create_channel(member, "Accueil")
    with capture_events(1) as events:
        join(third, channel)
    assert events == [{"event": "chat:membership", "room": f"user:{third.id}", "payload": {
        "type": "chat", "op": "joined", "channel_id": channel.id}}]
    join(third, channel)  # again: nothing changes
    assert _count(ChannelMember, ChannelMember.channel_id == channel.id) == 2
    with capture_events(1) as events, transaction():
        services.check_leave(third, channel.id)
    assert events[0]["payload"] == {"type": "chat", "op": "left", "channel_id": channel.id}
    assert db.session.get(ChannelMember, (channel.id, third.id)) is None


def test_joining_starts_with_history_read(app, member, other):
    channel = create_channel(member, "Accueil")
    for n in range(3):
        send(member, channel, f"Message {n}")
    join(other, channel)
    assert services.unread_counts(other).total == 0
    send(member, channel, "Nouveau")
    assert services.unread_counts(other).channels == {channel.id: 1}


def test_private_channel_is_invisible_to_outsiders(app, private, outsider):
    for call in (lambda: services.access_channel(outsider, private.id),
                 lambda: services.check_join(outsider, private.id),
                 lambda: services.access_history(outsider, private.id),
                 lambda: services.check_send(outsider, private.id, "Coucou", client_id()),
                 lambda: services.check_read(outsider, private.id, 1),
                 lambda: services.check_typing(outsider, private.id),
                 lambda: services.check_invite(outsider, private.id, [outsider.id])):
        with pytest.raises(NotFound):
            call()


def test_members_invite_to_private_channels(app, member, other, third, private):
    with capture_events(1) as events, transaction():
        added = services.check_invite(other, private.id, [third.id, other.id])
    assert added == [third]
    assert events[0]["room"] == f"user:{third.id}"
    assert services.access_channel(third, private.id).is_member


def test_inviting_unknown_or_suspended_members_is_refused(app, member, private):
    suspended = make_user(status="suspended")
    for ids in ([suspended.id], [424242], [], [member.id], [0], [2**40]):
        with pytest.raises(Invalid), transaction():
            services.check_invite(member, private.id, ids)


def test_channel_admin_removes_members_and_the_last_admin_is_replaced(app, member, other,
                                                                      third, private):
    invite(member, private, third)
    with pytest.raises(PermissionDenied), transaction():
        services.check_remove_member(other, private.id, third.id)
    with capture_events() as events, transaction():
        services.check_remove_member(member, private.id, third.id)
    assert {"event": "chat:membership", "room": f"user:{third.id}", "payload": {
        "type": "chat", "op": "left", "channel_id": private.id}} in events
    with pytest.raises(NotFound):
        services.access_channel(third, private.id)
    with transaction():
        services.check_leave(member, private.id)
    assert db.session.get(ChannelMember, (private.id, other.id)).role == "admin"


def test_leaving_a_direct_conversation_is_not_possible(app, member, other):
    channel = direct(member, other)
    with pytest.raises(PermissionDenied), transaction():
        services.check_leave(member, channel.id)


# Direct messages ------------------------------------------------------------------------------

def test_direct_conversations_are_reused_by_the_same_people(app, member, other, third):
    first = direct(member, other)
    assert direct(other, member).id == first.id
    group = direct(member, other, third)
    assert group.id != first.id
    assert direct(third, other, member, member).id == group.id
    assert first.direct_key == "-".join(str(i) for i in sorted([member.id, other.id]))
    levels = set(db.session.scalars(select(ChannelMember.notify_level).where(
        ChannelMember.channel_id == group.id)))
    assert levels == {"all"}


def test_direct_conversations_have_at_most_eight_people(app, member):
    others = [make_user() for _ in range(8)]
    channel = direct(member, *others[:7])
    assert _count(ChannelMember, ChannelMember.channel_id == channel.id) == 8
    with pytest.raises(Invalid) as error, transaction():
        services.check_open_direct(member, [u.id for u in others])
    assert "8 personnes" in error.value.message
    for ids in ([], [member.id], [424242], ["3"]):
        with pytest.raises(Invalid), transaction():
            services.check_open_direct(member, ids)


def test_a_direct_conversation_is_private_to_its_members(app, member, other, outsider):
    channel = direct(member, other)
    with pytest.raises(NotFound):
        services.access_channel(outsider, channel.id)


# Sending --------------------------------------------------------------------------------------

def test_send_publishes_the_message_and_badges(app, member, other, public):
    with capture_events() as events:
        message = send(member, public, "Bonjour **tout le monde**", cid="abcdefgh-1234")
    names = [(e["event"], e["room"]) for e in events]
    assert names == [("chat:message", f"channel:{public.id}"),
                     ("chat:unread", f"user:{other.id}")] or names == [
        ("chat:message", f"channel:{public.id}")]
    payload = events[0]["payload"]
    assert payload == {"type": "chat", "op": "message", "channel_id": public.id,
                       "message_id": message.id, "client_id": "abcdefgh-1234",
                       "author_id": member.id}
    [stored], _more = services.access_history(member, public.id)
    assert services.message_dict(stored) == {
        "id": message.id, "channel_id": public.id, "client_id": "abcdefgh-1234",
        "author": {"id": member.id, "name": member.display_name},
        "body_html": "<p>Bonjour <strong>tout le monde</strong></p>",
        "created_at": message.created_at.isoformat(), "edited_at": None, "deleted": False}
    assert db.session.get(Channel, public.id).last_message_id == message.id


def test_a_resend_with_the_same_client_id_is_the_same_message(app, member, public):
    cid = client_id()
    with capture_events(1):
        first = send(member, public, "Une fois", cid=cid)
    with capture_events(0):
        again = send(member, public, "Une fois (renvoyé)", cid=cid)
    assert again.id == first.id and again.body == "Une fois"
    assert _count(Message, Message.client_id == cid) == 1


def test_the_same_client_id_elsewhere_is_invalid(app, member, public):
    cid = client_id()
    send(member, public, "Ici", cid=cid)
    other_channel = create_channel(member, "Ailleurs")
    with pytest.raises(Invalid) as error, transaction():
        services.check_send(member, other_channel.id, "Là", cid)
    assert error.value.field == "client_id"


def test_two_members_may_use_the_same_client_id(app, member, other, public):
    cid = client_id()
    assert send(member, public, "A", cid=cid).id != send(other, public, "B", cid=cid).id


def test_an_insert_race_on_the_client_id_returns_the_winner(app, member, public, monkeypatch):
    """Two sends of one client_id at once: both miss the lookup, the unique constraint
    lets one insert win, the other returns that row and publishes nothing."""
    cid = client_id()
    winner = send(member, public, "Premier", cid=cid)
    real = messages_module._by_client_id
    calls = []

    def missing_first(author_id, client):
        calls.append(client)
        return None if len(calls) == 1 else real(author_id, client)

    monkeypatch.setattr(messages_module, "_by_client_id", missing_first)
    with capture_events(0), transaction():
        sent = services.check_send(member, public.id, "Second", cid)
    assert (sent.message.id, sent.created) == (winner.id, False)
    assert _count(Message, Message.client_id == cid) == 1


def test_ids_increase_in_sending_order(app, member, other, public):
    ids = [send(member if n % 2 else other, public, f"Message {n}").id for n in range(10)]
    assert ids == sorted(ids) and len(set(ids)) == 10


@pytest.mark.parametrize(("body", "code"), [
    ("", "invalid"), ("   \n ", "invalid"), (None, "invalid"), (42, "invalid"),
    (["a"], "invalid"), ("x" * 4001, "too_long"), ("x" * 100_000, "too_long"),
    ("nul\x00", "invalid"), ("\ud800", "invalid"),
])
def test_bodies_are_checked(app, member, public, body, code):
    with capture_events(0), pytest.raises(Invalid) as error, transaction():
        services.check_send(member, public.id, body, client_id())
    assert error.value.code == code


def test_exactly_the_maximum_is_accepted(app, member, public):
    assert len(send(member, public, "é" * 4000).body) == 4000


@pytest.mark.parametrize("cid", [None, "", "court", "x" * 65, "avec espace", "é" * 10, 12345678,
                                 "../../etc", "a\x00aaaaaaaa"])
def test_client_ids_are_checked(app, member, public, cid):
    with pytest.raises(Invalid) as error, transaction():
        services.check_send(member, public.id, "Bonjour", cid)
    assert error.value.field == "client_id"


def test_only_members_send(app, member, third, public):
    with pytest.raises(PermissionDenied), transaction():
        services.check_send(third, public.id, "Je passe", client_id())
    join(third, public)
    send(third, public, "Me voilà")


def test_sending_is_rate_limited_per_member(app, member, other, public):
    app.config["CHAT_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        send(member, public, f"Message {n}")
    cid = client_id()
    with capture_events(0), pytest.raises(RateLimited), transaction():
        services.check_send(member, public.id, "Un de trop", cid)
    assert _count(Message, Message.client_id == cid) == 0
    send(other, public, "Moi je peux")  # per member
    # A retry of a message already stored is not a new message: it is not limited.
    first = db.session.scalar(select(Message).where(Message.author_id == member.id)
                              .order_by(Message.id))
    with transaction():
        assert services.check_send(member, public.id, "x", first.client_id).message.id \
            == first.id


def test_markup_in_messages_is_inert(app, member, public):
    message = send(member, public, '<script>alert(1)</script> [x](javascript:alert(1)) '
                                   '<img src=x onerror=alert(1)>')
    assert "<script" not in message.body_html and "<img" not in message.body_html
    assert "href=\"javascript" not in message.body_html and "<a" not in message.body_html
    assert "&lt;script&gt;" in message.body_html


# History ---------------------------------------------------------------------------------------

def _ids(messages):
    return [m.id for m in messages]


def test_history_pages(app, member, public):
    ids = [send(member, public, f"Message {n}").id for n in range(30)]
    access = services.access_channel(member, public.id)
    latest, more = services.history(access, limit=10)
    assert (_ids(latest), more) == (ids[-10:], True)
    older, more = services.history(access, before_id=ids[-10], limit=10)
    assert (_ids(older), more) == (ids[10:20], True)
    oldest, more = services.history(access, before_id=ids[10], limit=10)
    assert (_ids(oldest), more) == (ids[:10], False)
    caught_up, more = services.history(access, after_id=ids[11], limit=100)
    assert (_ids(caught_up), more) == (ids[12:], False)
    first, more = services.history(access, after_id=ids[11], limit=5)
    assert (_ids(first), more) == (ids[12:17], True)
    assert services.history(access, after_id=ids[-1]) == ([], False)


def test_no_gap_after_a_reconnection(app, member, other, public):
    """30 messages sent; a client had up to the 12th: after_id=12th gives 13..30 in order."""
    ids = [send(member if n % 3 else other, public, f"Message {n}").id for n in range(30)]
    messages, more = services.access_history(other, public.id, after_id=ids[11])
    assert _ids(messages) == ids[12:] and not more


def test_history_query_count_is_constant(app, member, other, public):
    for n in range(60):
        send(member if n % 2 else other, public, f"Message {n}")
    counts = []
    for limit in (10, 60):
        access = services.access_channel(member, public.id)
        with count_queries() as counter:
            services.history(access, limit=limit)
        counts.append(counter.count)
    assert counts == [1, 1]


@pytest.mark.parametrize("kwargs", [
    {"before_id": 0}, {"after_id": -1}, {"before_id": 2**31}, {"limit": 0}, {"limit": 101},
    {"limit": True}, {"before_id": 1, "after_id": 2}, {"before_id": "1"},
])
def test_history_arguments_are_checked(app, member, public, kwargs):
    with pytest.raises(Invalid):
        services.access_history(member, public.id, **kwargs)


def test_deleted_messages_keep_their_place(app, member, other, public):
    keep = send(member, public, "Reste")
    gone = send(member, public, "Part")
    with transaction():
        services.check_delete(member, gone.id)
    messages, _more = services.access_history(other, public.id)
    assert [services.message_dict(m)["deleted"] for m in messages] == [False, True]
    assert services.message_dict(messages[1])["body_html"] == ""
    assert messages[0].id == keep.id


# Read markers and unread counts ------------------------------------------------------------------

def test_unread_counts_and_read_markers(app, member, other, third, public):
    second = create_channel(member, "Second")
    join(other, second)
    send(other, public, "Le mien ne compte pas")
    a = [send(member, public, f"A{n}").id for n in range(3)]
    send(member, second, "B")
    counts = services.unread_counts(other)
    assert (counts.total, counts.channels) == (4, {public.id: 3, second.id: 1})
    with capture_events(1) as events, transaction():
        counts = services.check_read(other, public.id, a[1])
    assert (counts.total, counts.channels) == (2, {public.id: 1, second.id: 1})
    assert events[0] == {"event": "chat:unread", "room": f"user:{other.id}", "payload": {
        "type": "chat", "op": "unread", "channel_id": public.id, "unread": 1,
        "total_unread": 2, "last_message_id": db.session.get(Channel, public.id).last_message_id}}
    # Never backwards, never beyond the newest message.
    with transaction():
        services.check_read(other, public.id, a[0])
    assert db.session.get(ChannelMember, (public.id, other.id)).last_read_id == a[1]
    with transaction():
        services.check_read(other, public.id, 2**31 - 1)
    last = db.session.get(Channel, public.id).last_message_id
    assert db.session.get(ChannelMember, (public.id, other.id)).last_read_id == last
    assert services.unread_counts(other).channels == {second.id: 1}


def test_muted_channels_leave_the_total(app, member, other, public):
    send(member, public, "Chut")
    with transaction():
        services.check_set_preferences(other, public.id, muted=True, notify_level="all")
    counts = services.unread_counts(other)
    assert (counts.total, counts.channels) == (0, {public.id: 1})


def test_deleted_messages_are_not_unread(app, member, other, public):
    message = send(member, public, "Oups")
    with transaction():
        services.check_delete(member, message.id)
    assert services.unread_counts(other).total == 0


def test_unread_counters_follow_deletions_of_unread_messages_only(app, member, other, third,
                                                                   public):
    join(third, public)
    first, second, last = (send(member, public, f"M{n}") for n in range(3))
    with transaction():
        services.check_read(other, public.id, first.id)
    with transaction():
        services.check_delete(member, first.id)  # read already by `other`
        services.check_delete(member, last.id)
    assert services.unread_counts(other).channels == {public.id: 1}
    assert services.unread_counts(third).channels == {public.id: 1}
    assert services.unread_counts(member).channels == {}
    with transaction():
        services.check_read(third, public.id, second.id)
    assert services.unread_counts(third).total == 0


def test_sending_reads_the_channel(app, member, other, public):
    send(member, public, "Une")
    send(member, public, "Deux")
    send(other, public, "Je réponds : j'ai donc tout lu")
    assert services.unread_counts(other).total == 0


def test_reading_needs_membership(app, member, third, public):
    send(member, public, "Bonjour")
    with pytest.raises(PermissionDenied):
        services.check_read(third, public.id, 1)


def test_live_unread_goes_to_connected_members_not_viewing(app, member, other, third, public):
    from app.chat.presence import get_presence
    join(third, public)
    presence = get_presence()
    presence.connect("sid-other", other.id)
    presence.connect("sid-third", third.id)
    presence.view("sid-third", public.id)  # third has the channel open
    with capture_events() as events:
        message = send(member, public, "Hello")
    unread = [e for e in events if e["event"] == "chat:unread"]
    assert unread == [{"event": "chat:unread", "room": f"user:{other.id}", "payload": {
        "type": "chat", "op": "unread", "channel_id": public.id, "unread": 1,
        "total_unread": 1, "last_message_id": message.id}}]


# Editing and deleting ----------------------------------------------------------------------------

def test_edit_own_message_keeps_the_previous_version(app, member, other, public):
    message = send(member, public, "Première version")
    with capture_events(1) as events, transaction():
        services.check_edit(member, message.id, "Seconde *version*")
    assert events[0]["event"] == "chat:message_updated"
    assert events[0]["room"] == f"channel:{public.id}"
    assert events[0]["payload"] == {"type": "chat", "op": "updated",
                                    "channel_id": public.id, "message_id": message.id}
    [stored], _more = services.access_history(member, public.id)
    updated = services.message_dict(stored)
    assert updated["body_html"] == "<p>Seconde <em>version</em></p>"
    assert updated["edited_at"] is not None
    revision = db.session.scalar(select(MessageRevision))
    assert (revision.message_id, revision.body, revision.editor_id) == (
        message.id, "Première version", member.id)
    with capture_events(0), transaction():
        services.check_edit(member, message.id, "Seconde *version*")  # unchanged: nothing


def test_nobody_edits_someone_elses_message(app, member, other, moderator, public):
    message = send(member, public, "À moi")
    join(moderator, public)
    for actor in (other, moderator):
        with pytest.raises(PermissionDenied), transaction():
            services.check_edit(actor, message.id, "Piraté")


def test_delete_own_message(app, member, other, public):
    message = send(member, public, "À retirer")
    with capture_events(1) as events, transaction():
        services.check_delete(member, message.id)
    assert events == [{"event": "chat:message_deleted", "room": f"channel:{public.id}",
                       "payload": {"type": "chat", "op": "deleted", "channel_id": public.id,
                                   "message_id": message.id}}]
    stored = db.session.get(Message, message.id)
    assert stored.deleted_by_id == member.id and stored.body == "À retirer"
    assert _count(ModerationAction) == 0
    with capture_events(0), transaction():
        services.check_delete(member, message.id)  # a retry: already done
    with pytest.raises(NotFound), transaction():
        services.check_edit(member, message.id, "Revenu")


def test_members_cannot_delete_others_messages(app, member, other, public):
    message = send(member, public, "À moi")
    with pytest.raises(PermissionDenied), transaction():
        services.check_delete(other, message.id)


def test_moderators_delete_any_message_and_it_is_logged(app, member, moderator, public):
    message = send(member, public, "Hors charte")
    with capture_events() as events, transaction():
        services.check_delete(moderator, message.id, "Propos injurieux")
    assert [e["event"] for e in events] == ["notification", "chat:message_deleted"]
    entry = db.session.scalar(select(ModerationAction))
    assert (entry.action, entry.target_type, entry.target_id, entry.target_user_id,
            entry.actor_id, entry.reason) == (
        "chat_message.delete", "chat_message", message.id, member.id, moderator.id,
        "Propos injurieux")
    assert entry.data["channel_id"] == public.id
    notification = db.session.scalar(select(Notification).where(
        Notification.user_id == member.id))
    assert notification.kind == "moderation" and "Propos injurieux" in notification.text


def test_moderators_cannot_reach_private_conversations(app, member, other, moderator):
    channel = direct(member, other)
    message = send(member, channel, "Entre nous")
    with pytest.raises(NotFound), transaction():
        services.check_delete(moderator, message.id)


# Mentions and notification levels ----------------------------------------------------------------

def _notifications(user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_mentions_notify(app, member, other, public):
    message = send(member, public, f"Bonjour @[Hélène]({other.id}) !")
    assert f'<a href="/membres/{other.id}"' in message.body_html
    assert "@Hélène Garnier" in message.body_html
    [notification] = _notifications(other)
    assert notification.kind == "mention" and notification.object_type == "chat_message"
    assert notification.url == f"/chat/{public.id}#message-{message.id}"
    assert "« Accueil »" in notification.text


def test_mentions_respect_mute_and_level(app, member, other, third, public):
    join(third, public)
    with transaction():
        services.check_set_preferences(other, public.id, muted=True, notify_level="mentions")
        services.check_set_preferences(third, public.id, muted=False, notify_level="none")
    send(member, public, f"@[H]({other.id}) @[K]({third.id})")
    assert _notifications(other) == [] and _notifications(third) == []
    with transaction():
        services.check_set_preferences(other, public.id, muted=False, notify_level="mentions")
    send(member, public, f"@[H]({other.id})")
    assert len(_notifications(other)) == 1


def test_mentions_do_not_reach_outsiders_of_private_channels(app, member, private, outsider,
                                                             third):
    send(member, private, f"@[O]({outsider.id})")
    assert _notifications(outsider) == []
    public = create_channel(member, "Ouvert")
    send(member, public, f"@[K]({third.id})")  # a public channel: readable by all
    assert len(_notifications(third)) == 1


def test_level_all_notifies_once_per_burst(app, member, other):
    channel = direct(member, other)
    send(member, channel, "Salut")
    send(member, channel, "Tu es là ?")
    [notification] = _notifications(other)
    assert notification.object_type == "chat_channel" and "vous a écrit" in notification.text
    with transaction():
        services.check_read(other, channel.id, 2**31 - 1)
    send(member, channel, "Encore moi")
    assert len(_notifications(other)) == 2


def test_level_all_skips_members_looking_at_the_channel(app, member, other):
    from app.chat.presence import get_presence
    channel = direct(member, other)
    get_presence().connect("sid-1", other.id)
    get_presence().view("sid-1", channel.id)
    send(member, channel, "Tu me vois")
    assert _notifications(other) == []


def test_editing_notifies_only_newly_mentioned(app, member, other, third, public):
    join(third, public)
    message = send(member, public, f"@[H]({other.id})")
    with transaction():
        services.check_edit(member, message.id, f"@[H]({other.id}) et @[K]({third.id})")
    assert len(_notifications(other)) == 1 and len(_notifications(third)) == 1


def test_channel_names_are_text(app, member):
    channel = create_channel(member, "<b>Salon</b> & <script>x</script>")
    lists = services.channel_list(member)
    assert lists.channels[0].title == channel.name


# The channel list --------------------------------------------------------------------------------

def test_channel_list_and_search(app, member, other, third):
    mob = create_channel(member, "Mobilités rurales")
    create_channel(other, "Tiers-lieux")
    secret = create_channel(other, "Secret", kind="private")
    dm = direct(member, third)
    send(third, dm, "Coucou")
    lists = services.channel_list(member)
    assert [i.channel.id for i in lists.channels] == [mob.id]
    assert [i.title for i in lists.joinable] == ["Tiers-lieux"]
    assert [(i.title, i.unread) for i in lists.directs] == [("Karim Haddad", 1)]
    assert secret.id not in [i.channel.id for i in lists.all()]
    found = services.channel_list(member, "MOBILITE")
    assert [i.title for i in found.all()] == ["Mobilités rurales"]
    assert [i.title for i in services.channel_list(member, "karim").all()] == ["Karim Haddad"]


def test_channel_list_query_count_is_constant(app, member):
    for n in range(3):
        create_channel(member, f"Salon {n}")
        direct(member, make_user())
    db.session.refresh(member)  # loaded, as the logged-in user of a request is
    with count_queries() as few:
        services.channel_list(member)
    for n in range(10):
        create_channel(member, f"Autre {n}")
        direct(member, make_user(), make_user())
    db.session.refresh(member)
    with count_queries() as many:
        services.channel_list(member)
    assert few.count == many.count == 4
