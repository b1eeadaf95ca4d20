"""The chat over Socket.IO (docs/realtime.md, "### Chat"), through the test client: every
client event with its acks and errors, what reaches other members live, presence, and
what happens to a member suspended while connected."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.chat import services
from app.chat.models import Message
from app.db import transaction
from app.extensions import db
from app.moderation.models import ModerationAction
from tests.chat.conftest import (
    ack,
    client_id,
    create_channel,
    direct,
    join,
    new_socket,
    send,
    socket_for,
)
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import capture_events

MAX = 2**31 - 1
EVENTS = ("chat:join", "chat:leave", "chat:send", "chat:history", "chat:read", "chat:typing",
          "chat:edit", "chat:delete", "presence:set")


def names(socket):
    return [r["name"] for r in socket.get_received()]


def payloads(socket, event):
    return [r["args"][0] for r in socket.get_received() if r["name"] == event]


def error(code):
    def check(answer):
        return answer["ok"] is False and answer["error"] == code and answer["message"]
    return check


def joined(app, user, channel):
    socket = socket_for(app, user)
    answer = ack(socket, "chat:join", {"channel_id": channel.id})
    assert answer["ok"], answer
    socket.get_received()
    return socket


# chat:join / chat:leave --------------------------------------------------------------------------

def test_join_answers_the_channel_state(app, member, other, public):
    send(member, public, "Un")
    last = send(member, public, "Deux")
    socket = socket_for(app, other)
    assert ack(socket, "chat:join", {"channel_id": public.id}) == {"ok": True, "channel": {
        "id": public.id, "name": "Accueil", "kind": "public", "last_read_id": 0,
        "last_message_id": last.id, "unread": 2}}
    assert ack(socket, "chat:leave", {"channel_id": public.id}) == {"ok": True}


def test_direct_conversation_is_named_after_the_others(app, member, other, third):
    channel = direct(member, other, third)
    socket = socket_for(app, member)
    answer = ack(socket, "chat:join", {"channel_id": channel.id})
    assert answer["channel"]["name"] == "Hélène Garnier, Karim Haddad"
    assert answer["channel"]["kind"] == "direct"


def test_messages_reach_the_room_and_leaving_stops_them(app, member, other, public):
    reader = joined(app, other, public)
    sent = send(member, public, "En direct")
    assert payloads(reader, "chat:message") == [{
        "type": "chat", "op": "message", "channel_id": public.id, "message_id": sent.id,
        "client_id": sent.client_id, "author_id": member.id}]
    assert ack(reader, "chat:leave", {"channel_id": public.id}) == {"ok": True}
    send(member, public, "Plus pour toi")
    assert payloads(reader, "chat:message") == []


def test_public_channel_can_be_read_before_joining_then_joined_over_http(app, member, third,
                                                                        public):
    socket = socket_for(app, third)
    answer = ack(socket, "chat:join", {"channel_id": public.id})
    assert answer["ok"] and answer["channel"]["last_read_id"] == 0
    # Watching is not membership: sending, reading markers and typing need it.
    assert error("forbidden")(ack(socket, "chat:send", {
        "channel_id": public.id, "body": "Salut", "client_id": client_id()}))
    assert error("forbidden")(ack(socket, "chat:read", {"channel_id": public.id,
                                                        "last_read_id": 1}))
    assert error("forbidden")(ack(socket, "chat:typing", {"channel_id": public.id}))
    http = socket.flask_test_client
    assert http.post(f"/chat/{public.id}/rejoindre").status_code == 302
    answer = ack(socket, "chat:send", {"channel_id": public.id, "body": "Me voilà",
                                       "client_id": client_id()})
    assert answer["ok"] and answer["message"]["author"]["id"] == third.id


def test_outsiders_of_a_private_channel_get_not_found_and_no_data(app, member, private,
                                                                  outsider):
    send(member, private, "Confidentiel")
    socket = socket_for(app, outsider)
    for event, payload in [
        ("chat:join", {"channel_id": private.id}),
        ("chat:history", {"channel_id": private.id}),
        ("chat:history", {"channel_id": private.id, "after_id": 1}),
        ("chat:send", {"channel_id": private.id, "body": "x", "client_id": client_id()}),
        ("chat:read", {"channel_id": private.id, "last_read_id": 1}),
        ("chat:typing", {"channel_id": private.id}),
        ("chat:join", {"channel_id": 424242}),
    ]:
        answer = ack(socket, event, payload)
        assert set(answer) == {"ok", "error", "message"}
        assert error("not_found")(answer), (event, answer)
    message = db.session.scalar(select(Message))
    assert error("not_found")(ack(socket, "chat:edit", {"message_id": message.id,
                                                        "body": "x"}))
    assert error("not_found")(ack(socket, "chat:delete", {"message_id": message.id}))
    send(member, private, "Toujours confidentiel")
    assert payloads(socket, "chat:message") == []


# chat:send --------------------------------------------------------------------------------------

def test_send_acks_the_stored_message(app, member, other, public):
    socket = joined(app, member, public)
    reader = joined(app, other, public)
    cid = client_id()
    answer = ack(socket, "chat:send", {"channel_id": public.id, "body": "Bonjour *à tous*",
                                       "client_id": cid})
    stored = db.session.scalar(select(Message).where(Message.client_id == cid))
    html = answer["message"].pop("html")
    assert answer == {"ok": True, "message": {
        "id": stored.id, "channel_id": public.id, "client_id": cid,
        "author": {"id": member.id, "name": "Sophie Martin"},
        "body_html": "<p>Bonjour <em>à tous</em></p>",
        "created_at": stored.created_at.isoformat(), "edited_at": None, "deleted": False}}
    # The sender's own copy, rendered by the server: their edit link and delete form.
    assert f'id="message-{stored.id}"' in html and "<p>Bonjour <em>à tous</em></p>" in html
    assert f'href="/chat/messages/{stored.id}/modifier"' in html
    assert f'action="/chat/messages/{stored.id}/supprimer"' in html
    # Live events carry ids: each viewer fetches the message rendered for them.
    event = {"type": "chat", "op": "message", "channel_id": public.id,
             "message_id": stored.id, "client_id": cid, "author_id": member.id}
    assert payloads(reader, "chat:message") == [event]
    assert payloads(socket, "chat:message") == [event]


def test_a_resend_after_a_lost_ack_is_idempotent(app, member, other, public):
    socket = joined(app, member, public)
    reader = joined(app, other, public)
    payload = {"channel_id": public.id, "body": "Une seule fois", "client_id": client_id()}
    with capture_events() as events:
        first = ack(socket, "chat:send", payload)
        second = ack(socket, "chat:send", payload)
        third_try = ack(socket, "chat:send", {**payload, "body": "modifié entre-temps"})
    # The same message each time (its html differs only by the viewer's fresh CSRF token).
    assert first["ok"] and "html" in first["message"]
    assert [{**answer["message"], "html": None} for answer in (second, third_try)] == [
        {**first["message"], "html": None}] * 2
    assert [e["event"] for e in events].count("chat:message") == 1
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    assert len(payloads(reader, "chat:message")) == 0  # captured above, not sent
    ack(socket, "chat:send", payload)
    assert payloads(reader, "chat:message") == []  # still nothing new


def test_ids_increase_and_history_has_no_gaps(app, member, other, public):
    a, b = joined(app, member, public), joined(app, other, public)
    ids = []
    for n in range(30):
        socket = a if n % 2 else b
        answer = ack(socket, "chat:send", {"channel_id": public.id, "body": f"Message {n}",
                                           "client_id": client_id()})
        ids.append(answer["message"]["id"])
    assert ids == sorted(ids)
    # A client that had everything up to the 12th message reconnects and catches up.
    late = socket_for(app, other)
    assert ack(late, "chat:join", {"channel_id": public.id})["ok"]
    got, after = [], ids[11]
    while True:
        answer = ack(late, "chat:history", {"channel_id": public.id, "after_id": after,
                                            "limit": 7})
        got += [m["id"] for m in answer["messages"]]
        if not answer["has_more"]:
            break
        after = got[-1]
    assert got == ids[12:]


def test_history_latest_and_before(app, member, public):
    socket = joined(app, member, public)
    ids = [send(member, public, f"M{n}").id for n in range(12)]
    answer = ack(socket, "chat:history", {"channel_id": public.id, "limit": 5})
    assert ([m["id"] for m in answer["messages"]], answer["has_more"]) == (ids[-5:], True)
    answer = ack(socket, "chat:history", {"channel_id": public.id, "before_id": ids[2]})
    assert ([m["id"] for m in answer["messages"]], answer["has_more"]) == (ids[:2], False)
    answer = ack(socket, "chat:history", {"channel_id": public.id, "limit": None})
    assert len(answer["messages"]) == 12


def test_too_long_and_rate_limited(app, member, public):
    socket = joined(app, member, public)
    answer = ack(socket, "chat:send", {"channel_id": public.id, "body": "x" * 100_000,
                                       "client_id": client_id()})
    assert error("too_long")(answer) and "4000" in answer["message"]
    app.config["CHAT_RATE_LIMIT"] = "2 per minute"
    for n in range(2):
        assert ack(socket, "chat:send", {"channel_id": public.id, "body": f"{n}",
                                         "client_id": client_id()})["ok"]
    assert error("rate_limited")(ack(socket, "chat:send", {
        "channel_id": public.id, "body": "encore", "client_id": client_id()}))


# chat:read and chat:unread -----------------------------------------------------------------------

def test_read_acks_counts_and_updates_the_members_other_tabs(app, member, other, public):
    ids = [send(member, public, f"M{n}").id for n in range(4)]
    tab = joined(app, other, public)
    other_tab = socket_for(app, other)
    answer = ack(tab, "chat:read", {"channel_id": public.id, "last_read_id": ids[1]})
    assert answer == {"ok": True, "unread": 2, "total_unread": 2}
    assert payloads(other_tab, "chat:unread") == [{
        "type": "chat", "op": "unread", "channel_id": public.id, "unread": 2,
        "total_unread": 2, "last_message_id": ids[-1]}]
    assert ack(tab, "chat:read", {"channel_id": public.id, "last_read_id": ids[0]}) == {
        "ok": True, "unread": 2, "total_unread": 2}  # never backwards


def test_badges_follow_new_messages_live(app, member, other, public):
    elsewhere = socket_for(app, other)  # connected, not looking at the channel
    send(member, public, "Un")
    send(member, public, "Deux")
    assert [(p["unread"], p["total_unread"]) for p in payloads(elsewhere, "chat:unread")] == [
        (1, 1), (2, 2)]
    looking = joined(app, other, public)
    send(member, public, "Trois")
    assert payloads(looking, "chat:unread") == []


# chat:typing -------------------------------------------------------------------------------------

def test_typing_reaches_others_not_the_typist_and_is_throttled(app, member, other, public):
    typist = joined(app, member, public)
    second_tab = joined(app, member, public)
    reader = joined(app, other, public)
    assert ack(typist, "chat:typing", {"channel_id": public.id}) == {"ok": True}
    assert payloads(reader, "chat:typing") == [{
        "type": "chat", "op": "typing", "channel_id": public.id,
        "user": {"id": member.id, "name": "Sophie Martin"}}]
    assert payloads(typist, "chat:typing") == []
    assert payloads(second_tab, "chat:typing") == []
    for _ in range(5):
        assert ack(typist, "chat:typing", {"channel_id": public.id}) == {"ok": True}
    assert payloads(reader, "chat:typing") == []  # at most one every 3 s


def test_typing_throttle_lets_it_through_after_three_seconds(app, member, other, public,
                                                             monkeypatch):
    import app.chat.presence as presence_module
    now = [1000.0]
    monkeypatch.setattr(presence_module.time, "monotonic", lambda: now[0])
    typist = joined(app, member, public)
    reader = joined(app, other, public)
    ack(typist, "chat:typing", {"channel_id": public.id})
    now[0] += 2.9
    ack(typist, "chat:typing", {"channel_id": public.id})
    now[0] += 0.2
    ack(typist, "chat:typing", {"channel_id": public.id})
    assert len(payloads(reader, "chat:typing")) == 2


# chat:edit / chat:delete -------------------------------------------------------------------------

def test_edit_and_delete_own_message(app, member, other, public):
    socket = joined(app, member, public)
    reader = joined(app, other, public)
    sent = ack(socket, "chat:send", {"channel_id": public.id, "body": "Version 1",
                                     "client_id": client_id()})["message"]
    reader.get_received()
    answer = ack(socket, "chat:edit", {"message_id": sent["id"], "body": "Version 2"})
    assert answer["ok"] and answer["message"]["body_html"] == "<p>Version 2</p>"
    assert answer["message"]["edited_at"] is not None
    assert "<p>Version 2</p>" in answer["message"]["html"]
    assert 'class="chat-edited"' in answer["message"]["html"]
    assert payloads(reader, "chat:message_updated") == [{
        "type": "chat", "op": "updated", "channel_id": public.id, "message_id": sent["id"]}]
    assert ack(socket, "chat:delete", {"message_id": sent["id"]}) == {"ok": True}
    assert payloads(reader, "chat:message_deleted") == [{
        "type": "chat", "op": "deleted", "channel_id": public.id, "message_id": sent["id"]}]
    [message] = ack(reader, "chat:history", {"channel_id": public.id})["messages"]
    assert message["deleted"] is True and message["body_html"] == ""


def test_others_messages_are_forbidden_moderators_delete_and_it_is_logged(app, member, other,
                                                                         moderator, public):
    message = send(member, public, "Hors sujet")
    socket = joined(app, other, public)
    assert error("forbidden")(ack(socket, "chat:edit", {"message_id": message.id,
                                                        "body": "piraté"}))
    assert error("forbidden")(ack(socket, "chat:delete", {"message_id": message.id}))
    mod = socket_for(app, moderator)  # a public channel: visible without joining
    assert ack(mod, "chat:delete", {"message_id": message.id, "reason": "Hors charte"}) == {
        "ok": True}
    entry = db.session.scalar(select(ModerationAction))
    assert (entry.action, entry.target_id, entry.reason) == (
        "chat_message.delete", message.id, "Hors charte")


# Malformed payloads ----------------------------------------------------------------------------

BAD_IDS = [None, "1", "abc", True, False, 1.0, 1.5, 0, -1, 2**31, 10**30, [], {}, [1]]


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("payload", [None, [], "texte", 42, True, [1, 2], {}, {"x": 1}])
def test_malformed_payloads_get_invalid(app, member, public, event, payload):
    socket = socket_for(app, member)
    answer = (socket.emit(event, callback=True) if payload is None
              else ack(socket, event, payload))
    assert error("invalid")(answer), (event, payload, answer)
    assert socket.is_connected()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_ids_get_invalid(app, member, public, bad):
    message = send(member, public, "Cible")
    socket = socket_for(app, member)
    checks = [
        ("chat:join", {"channel_id": bad}),
        ("chat:leave", {"channel_id": bad}),
        ("chat:send", {"channel_id": bad, "body": "x", "client_id": client_id()}),
        ("chat:history", {"channel_id": bad}),
        ("chat:history", {"channel_id": public.id, "before_id": bad}),
        ("chat:history", {"channel_id": public.id, "after_id": bad}),
        ("chat:read", {"channel_id": bad, "last_read_id": 1}),
        ("chat:read", {"channel_id": public.id, "last_read_id": bad}),
        ("chat:typing", {"channel_id": bad}),
        ("chat:edit", {"message_id": bad, "body": "x"}),
        ("chat:delete", {"message_id": bad}),
    ]
    for event, payload in checks:
        if bad is None and (event, tuple(payload)) in {
                ("chat:history", ("channel_id", "before_id")),
                ("chat:history", ("channel_id", "after_id"))}:
            continue  # optional fields may be null
        assert error("invalid")(ack(socket, event, payload)), (event, payload)
    assert db.session.get(Message, message.id).deleted_at is None


@pytest.mark.parametrize(("payload", "code"), [
    ({"body": "x" * 100_000}, "too_long"),
    ({"body": ""}, "invalid"), ({"body": "   "}, "invalid"), ({"body": None}, "invalid"),
    ({"body": 12}, "invalid"), ({"body": ["a"]}, "invalid"), ({"body": {"a": 1}}, "invalid"),
    ({"client_id": None}, "invalid"), ({"client_id": "court"}, "invalid"),
    ({"client_id": "x" * 65}, "invalid"), ({"client_id": 123456789}, "invalid"),
    ({"client_id": "pas bon du tout"}, "invalid"), ({"body": "a\x00b"}, "invalid"),
    ({"body": "\ud83d"}, "invalid"),
])
def test_bad_sends(app, member, public, payload, code):
    socket = socket_for(app, member)
    full = {"channel_id": public.id, "body": "Bonjour", "client_id": client_id(), **payload}
    with capture_events(0):
        assert error(code)(ack(socket, "chat:send", full))
    missing = {k: v for k, v in full.items() if k not in payload}
    assert error("invalid")(ack(socket, "chat:send", missing))
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_extra_fields_and_arguments_are_ignored(app, member, public):
    socket = socket_for(app, member)
    answer = socket.emit("chat:send", {"channel_id": public.id, "body": "Bonjour",
                                       "client_id": client_id(), "author_id": 999,
                                       "junk": [1, 2, 3]}, "encore", {"x": 1}, callback=True)
    assert answer["ok"] and answer["message"]["author"]["id"] == member.id


@pytest.mark.parametrize("payload", [
    {"channel_id": 1, "limit": 0}, {"channel_id": 1, "limit": 101}, {"channel_id": 1,
                                                                      "limit": "10"},
    {"channel_id": 1, "limit": True}, {"channel_id": 1, "before_id": 5, "after_id": 2},
])
def test_bad_history_requests(app, member, public, payload):
    socket = socket_for(app, member)
    assert error("invalid")(ack(socket, "chat:history", payload))


@pytest.mark.parametrize("status", [None, "offline", "busy", 1, ["online"]])
def test_bad_presence_status(app, member, status):
    socket = socket_for(app, member)
    assert error("invalid")(ack(socket, "presence:set", {"status": status}))


# Presence ----------------------------------------------------------------------------------------

def test_presence_counts_sockets(app, member, other, third, public):
    watcher = socket_for(app, other)  # shares "Accueil" with member
    stranger = socket_for(app, third)  # shares nothing with member
    first = socket_for(app, member)
    assert payloads(watcher, "presence") == [{"type": "presence", "user_id": member.id,
                                              "status": "online"}]
    second = socket_for(app, member)
    assert payloads(watcher, "presence") == []  # already online
    first.disconnect()
    assert payloads(watcher, "presence") == []  # the second tab is still there
    assert services.statuses([member.id]) == {member.id: "online"}
    assert ack(second, "presence:set", {"status": "away"}) == {"ok": True}
    assert payloads(watcher, "presence") == [{"type": "presence", "user_id": member.id,
                                              "status": "away"}]
    assert ack(second, "presence:set", {"status": "away"}) == {"ok": True}
    assert payloads(watcher, "presence") == []
    second.disconnect()
    assert payloads(watcher, "presence") == [{"type": "presence", "user_id": member.id,
                                              "status": "offline"}]
    assert services.statuses([member.id]) == {member.id: "offline"}
    assert payloads(stranger, "presence") == []


def test_one_tab_away_another_online_is_online(app, member, other, public):
    watcher = socket_for(app, other)
    tab1, tab2 = socket_for(app, member), socket_for(app, member)
    watcher.get_received()
    ack(tab1, "presence:set", {"status": "away"})
    assert payloads(watcher, "presence") == []
    ack(tab2, "presence:set", {"status": "away"})
    assert [p["status"] for p in payloads(watcher, "presence")] == ["away"]
    ack(tab1, "presence:set", {"status": "online"})
    assert [p["status"] for p in payloads(watcher, "presence")] == ["online"]


# Membership --------------------------------------------------------------------------------------

def test_removed_member_leaves_the_room_at_once(app, member, other, private):
    socket = joined(app, other, private)
    with transaction():
        services.check_remove_member(member, private.id, other.id)
    assert payloads(socket, "chat:membership") == [{"type": "chat", "op": "left",
                                                    "channel_id": private.id}]
    send(member, private, "Tu n'es plus là")
    assert payloads(socket, "chat:message") == []
    assert error("not_found")(ack(socket, "chat:join", {"channel_id": private.id}))


def test_invited_member_hears_of_it(app, member, third, private):
    socket = socket_for(app, third)
    with transaction():
        services.check_invite(member, private.id, [third.id])
    assert payloads(socket, "chat:membership") == [{"type": "chat", "op": "joined",
                                                    "channel_id": private.id}]
    assert ack(socket, "chat:join", {"channel_id": private.id})["ok"]


# Suspension --------------------------------------------------------------------------------------

def test_a_suspended_member_is_disconnected_at_once(app, member, other, admin, public):
    socket = joined(app, other, public)
    second = socket_for(app, other)
    watcher = socket_for(app, member)
    with transaction():
        accounts.check_change_status(admin, other, "suspended")
    assert not socket.is_connected() and not second.is_connected()
    assert payloads(watcher, "presence")[-1] == {"type": "presence", "user_id": other.id,
                                                 "status": "offline"}
    assert services.statuses([other.id]) == {other.id: "offline"}
    send(member, public, "Après")  # the room no longer has their sockets
    http = app.test_client()
    login(http, other)
    assert not new_socket(app, http).is_connected()


def test_a_socket_the_server_did_not_close_is_refused_on_its_next_event(app, member, other,
                                                                        public):
    """As on another server process: the member is checked again on every event."""
    socket = joined(app, other, public)
    with transaction():
        other.status = "suspended"  # no session:ended here (another process did it)
    answer = ack(socket, "chat:send", {"channel_id": public.id, "body": "Encore moi",
                                       "client_id": client_id()})
    assert error("forbidden")(answer) and "session" in answer["message"]
    assert not socket.is_connected()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_unknown_users_never_connect(app, client):
    assert not new_socket(app, client).is_connected()


def test_another_member_of_many_channels(app, member):
    """A member in many channels: one grouped query gives every badge."""
    channels = [create_channel(member, f"Salon {n}") for n in range(5)]
    reader = make_user()
    for channel in channels:
        join(reader, channel)
        send(member, channel, "Nouvelles")
    assert services.unread_counts(reader).total == 5
