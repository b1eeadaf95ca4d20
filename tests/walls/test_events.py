"""Live events of the walls: what each action publishes (number and shape, after commit),
the `wall:join` / `wall:leave` handlers, and delivery through the Socket.IO test client."""

from __future__ import annotations

import pytest

from app.accounts import services as accounts
from app.db import transaction
from app.errors import Invalid
from app.walls import services
from tests.conftest import login
from tests.helpers import capture_events
from tests.walls.conftest import as_user, comment_on, publish, socket_for

WALL_EVENTS = ("wall:post", "wall:comment", "wall:reaction")


def _wall_events(events):
    return [e for e in events if e["event"] in WALL_EVENTS]


def _post_event(wall, post, op):
    return {"event": "wall:post", "room": f"wall:{wall.id}",
            "payload": {"type": "post", "op": op, "wall_id": wall.id, "post_id": post.id}}


def _comment_event(wall, post, comment, op):
    return {"event": "wall:comment", "room": f"wall:{wall.id}",
            "payload": {"type": "comment", "op": op, "wall_id": wall.id, "post_id": post.id,
                        "comment_id": comment.id}}


# What each action publishes ----------------------------------------------------------------

def test_create_publishes_one_add(app, member, general_wall):
    with capture_events(1) as events:
        post = publish(member, general_wall, "Nouveau")
    assert events == [_post_event(general_wall, post, "add")]


def test_create_with_a_mention_also_tells_the_mentioned_member(app, member, other,
                                                               general_wall):
    with capture_events(2) as events:
        post = publish(member, general_wall, f"Bonjour @[Hélène]({other.id})")
    assert events[0] == {"event": "notification", "room": f"user:{other.id}", "payload": {
        "type": "notification", "op": "add", "id": events[0]["payload"]["id"], "unread": 1}}
    assert events[1] == _post_event(general_wall, post, "add")


def test_edit_delete_hide_publish_update_and_remove(app, member, moderator, general_wall):
    post = publish(member, general_wall, "Version 1")
    with capture_events(1) as events, transaction():
        services.check_edit_post(member, services.access_post(member, post.id), body="V2")
    assert events == [_post_event(general_wall, post, "update")]
    # Moderation also notifies the author, in their own room.
    with capture_events(2) as events, transaction():
        services.check_set_pinned(moderator, services.access_post(moderator, post.id), True)
    assert events[0]["room"] == f"user:{member.id}"
    assert _wall_events(events) == [_post_event(general_wall, post, "update")]
    with capture_events(2) as events, transaction():
        services.check_hide(moderator, services.access_post(moderator, post.id), "Hors charte")
    assert _wall_events(events) == [_post_event(general_wall, post, "remove")]
    assert events[0]["room"] == f"user:{member.id}"
    with capture_events(2) as events, transaction():
        services.check_unhide(moderator, services.access_post(moderator, post.id))
    assert _wall_events(events) == [_post_event(general_wall, post, "add")]
    with capture_events(1) as events, transaction():
        services.check_delete_post(member, services.access_post(member, post.id))
    assert events == [_post_event(general_wall, post, "remove")]
    # Restoring a post its author deleted shows it again; still hidden content is not sent.
    with capture_events(2) as events, transaction():
        services.check_restore(moderator, services.access_post(moderator, post.id))
    assert _wall_events(events) == [_post_event(general_wall, post, "add")]


def test_unhiding_a_deleted_post_publishes_nothing_on_the_wall(app, member, moderator,
                                                               general_wall):
    post = publish(member, general_wall, "Deux fois retiré")
    with transaction():
        services.check_hide(moderator, services.access_post(moderator, post.id), "Hors charte")
        services.check_delete_post(moderator, services.access_post(moderator, post.id),
                                   "Doublon")
    with capture_events() as events, transaction():
        services.check_unhide(moderator, services.access_post(moderator, post.id))
    assert _wall_events(events) == []


def test_comment_events(app, member, other, general_wall):
    post = publish(member, general_wall, "Fil")
    with capture_events(2) as events:
        comment = comment_on(other, post, "Réponse")
    assert events[0]["event"] == "notification" and events[0]["room"] == f"user:{member.id}"
    assert events[1] == _comment_event(general_wall, post, comment, "add")
    with capture_events(1) as events, transaction():
        services.check_edit_comment(other, services.access_comment(other, comment.id), "Corrigé")
    assert events == [_comment_event(general_wall, post, comment, "update")]
    with capture_events(1) as events, transaction():
        services.check_delete_comment(other, services.access_comment(other, comment.id))
    assert events == [_comment_event(general_wall, post, comment, "remove")]


def test_reaction_events_carry_the_counts(app, member, other, general_wall):
    post = publish(member, general_wall, "Merci")
    with capture_events(2) as events, transaction():
        services.check_toggle_reaction(other, "post", post.id, "bravo")
    assert _wall_events(events) == [{
        "event": "wall:reaction", "room": f"wall:{general_wall.id}",
        "payload": {"type": "reaction", "op": "update", "wall_id": general_wall.id,
                    "target_type": "post", "target_id": post.id, "counts": {"bravo": 1}}}]
    with capture_events(1) as events, transaction():
        services.check_toggle_reaction(other, "post", post.id, "bravo")
    assert events[0]["payload"]["counts"] == {}


def test_accepting_an_answer_updates_the_post(app, member, other, general_wall):
    post = publish(member, general_wall, "Question ?", title="Question", kind="question")
    answer = comment_on(other, post, "Réponse")
    with capture_events(2) as events, transaction():
        services.check_accept_answer(member, services.access_post(member, post.id), answer.id)
    assert _wall_events(events) == [_post_event(general_wall, post, "update")]


def test_pending_posts_publish_nothing_until_approved(app, member, moderator):
    with transaction():
        wall = services.check_create_wall(moderator, "Modéré", "", "all")
    with capture_events(0):
        post = publish(member, wall, "En attente")
    with capture_events(2) as events, transaction():
        services.check_approve(moderator, services.access_post(moderator, post.id))
    assert _wall_events(events) == [_post_event(wall, post, "add")]


def test_a_failed_action_publishes_nothing(app, member, general_wall):
    with capture_events(0), pytest.raises(Invalid):
        publish(member, general_wall, "")


def test_moving_a_post_removes_it_here_and_adds_it_there(app, member, moderator,
                                                         general_wall, theme_wall):
    post = publish(member, general_wall, "À déplacer")
    with capture_events(3) as events, transaction():
        services.check_move(moderator, services.access_post(moderator, post.id), theme_wall.id,
                            "Mieux là-bas")
    assert _wall_events(events) == [
        {"event": "wall:post", "room": f"wall:{general_wall.id}",
         "payload": {"type": "post", "op": "remove", "wall_id": general_wall.id,
                     "post_id": post.id}},
        _post_event(theme_wall, post, "add")]


# wall:join and wall:leave ------------------------------------------------------------------

@pytest.fixture
def member_socket(app, client, member):
    login(client, member)
    socket = socket_for(app, client)
    assert socket.is_connected()
    return socket


def test_join_a_wall(member_socket, general_wall):
    assert member_socket.emit("wall:join", {"wall_id": general_wall.id}, callback=True) == {
        "ok": True}
    assert member_socket.emit("wall:leave", {"wall_id": general_wall.id}, callback=True) == {
        "ok": True}


@pytest.mark.parametrize("payload", [
    None, {}, [], "1", {"wall_id": "1"}, {"wall_id": 2**31}, {"wall_id": 10**30},
    {"wall_id": True}, {"wall_id": 0}, {"wall_id": -1}, {"wall_id": 1.0}, {"wall_id": None},
])
def test_join_refuses_invalid_payloads(member_socket, general_wall, payload):
    if payload is None:
        ack = member_socket.emit("wall:join", callback=True)
    else:
        ack = member_socket.emit("wall:join", payload, callback=True)
    assert ack == {"ok": False, "error": "invalid", "message": "La demande n'est pas valide."}
    assert member_socket.emit("wall:leave", payload, callback=True) == {
        "ok": False, "error": "invalid", "message": "La demande n'est pas valide."}


def test_join_unknown_or_owned_wall_is_not_found(member_socket, general_wall):
    assert member_socket.emit("wall:join", {"wall_id": 4242}, callback=True) == {
        "ok": False, "error": "not_found",
        "message": "Ce mur n'existe pas ou ne vous est pas accessible."}
    with transaction():
        owned = services.do_create_owned_wall("Projet", "project", 1)
    assert member_socket.emit("wall:join", {"wall_id": owned.id}, callback=True) == {
        "ok": False, "error": "not_found",
        "message": "Ce mur n'existe pas ou ne vous est pas accessible."}


def test_anonymous_socket_is_refused(app, client, general_wall):
    assert not socket_for(app, client).is_connected()


def test_suspended_member_cannot_join(app, client, member, admin, general_wall):
    login(client, member)
    socket = socket_for(app, client)
    # A socket this process did not close (another server process): refused on its next
    # event, since the member is loaded again for every event.
    with transaction():
        member.status = "suspended"
    assert socket.emit("wall:join", {"wall_id": general_wall.id}, callback=True) == {
        "ok": False, "error": "forbidden",
        "message": "Votre session a pris fin. Rechargez la page."}
    assert not socket.is_connected()
    with transaction():
        member.status = "active"
    socket = socket_for(app, client)
    with transaction():
        accounts.check_change_status(admin, member, "suspended")
    assert not socket.is_connected()  # closed by the server at once
    assert not socket_for(app, client).is_connected()


# Delivery ----------------------------------------------------------------------------------

def test_a_member_on_the_wall_receives_new_posts_live(app, member, other, general_wall):
    reader = app.test_client()
    login(reader, member)
    socket = socket_for(app, reader)
    assert socket.emit("wall:join", {"wall_id": general_wall.id}, callback=True)["ok"]
    socket.get_received()
    writer = app.test_client()
    login(writer, other)
    response = writer.post("/murs/general", data={"kind": "discussion", "body": "En direct !"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    received = [r for r in socket.get_received() if r["name"] == "wall:post"]
    assert len(received) == 1
    payload = received[0]["args"][0]
    assert payload["op"] == "add" and payload["wall_id"] == general_wall.id
    # What walls.js then fetches: the fragment, as the reader is allowed to see it.
    fragment = reader.get(f"/murs/messages/{payload['post_id']}/fragment")
    assert fragment.status_code == 200 and "En direct !" in fragment.text


def test_a_member_who_did_not_join_receives_nothing(app, member, other, general_wall,
                                                    theme_wall):
    reader = app.test_client()
    login(reader, member)
    socket = socket_for(app, reader)
    socket.emit("wall:join", {"wall_id": theme_wall.id}, callback=True)
    socket.get_received()
    publish(other, general_wall, "Ailleurs")
    assert [r for r in socket.get_received() if r["name"].startswith("wall:")] == []
    socket.emit("wall:leave", {"wall_id": theme_wall.id}, callback=True)
    publish(other, theme_wall, "Plus abonné·e")
    assert [r for r in socket.get_received() if r["name"].startswith("wall:")] == []


def test_hidden_content_live_and_fragment(app, client, member, other, moderator, general_wall):
    post = publish(other, general_wall, "Bientôt masqué")
    comment = comment_on(other, post, "Commentaire masqué")
    login(client, member)
    socket = socket_for(app, client)
    socket.emit("wall:join", {"wall_id": general_wall.id}, callback=True)
    socket.get_received()
    with transaction():
        services.check_hide(moderator, services.access_comment(moderator, comment.id), "Spam")
        services.check_hide(moderator, services.access_post(moderator, post.id), "Spam")
    ops = [(r["name"], r["args"][0]["op"]) for r in socket.get_received()]
    assert ops == [("wall:comment", "remove"), ("wall:post", "remove")]
    assert client.get(f"/murs/messages/{post.id}/fragment").status_code == 404
    assert client.get(f"/murs/commentaires/{comment.id}/fragment").status_code == 404
    as_user(client, moderator)
    assert client.get(f"/murs/messages/{post.id}/fragment").status_code == 200
