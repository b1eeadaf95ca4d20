"""Messages rendered once, by the server (app/chat/fragments.py): the page and the socket acks
carry the same markup for a viewer, controls follow `can()` for that viewer, live events
carry ids that the client fetches through `chat:history`, one rendering per variant."""

from __future__ import annotations

import re

import pytest

from app.chat import fragments, services
from app.db import transaction
from tests.chat.conftest import ack, client_id, create_channel, join, send, socket_for
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import capture_events

TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def _without_token(html: str) -> str:
    return TOKEN.sub('name="csrf_token" value=""', html)


def _history(app, user, channel, **query):
    answer = ack(socket_for(app, user), "chat:history", {"channel_id": channel.id, **query})
    assert answer["ok"], answer
    return {m["id"]: m for m in answer["messages"]}


def test_history_renders_each_message_for_its_viewer(app, member, other, moderator, public):
    mine = send(member, public, "De Sophie")
    theirs = send(other, public, "D'Hélène")
    as_member = _history(app, member, public)
    # Own message: edit link and a delete form asking for confirmation.
    html = as_member[mine.id]["html"]
    assert 'class="chat-message is-mine"' in html
    assert f'href="/chat/messages/{mine.id}/modifier"' in html
    assert f'action="/chat/messages/{mine.id}/supprimer"' in html
    assert re.search(r'name="csrf_token" value="[^"]+"', html)
    # Someone else's message: a plain member gets no control at all.
    html = as_member[theirs.id]["html"]
    assert "is-mine" not in html and "chat-message-actions" not in html
    assert "/supprimer" not in html and "/modifier" not in html
    assert f'<a class="chat-author" href="/membres/{other.id}">Hélène Garnier</a>' in html
    # A moderator (reading the public channel without joining) may delete it, with a reason.
    html = _history(app, moderator, public)[theirs.id]["html"]
    assert f'action="/chat/messages/{theirs.id}/supprimer"' in html
    assert f'id="chat-reason-{theirs.id}" name="reason"' in html
    assert "/modifier" not in html


def test_deleted_and_edited_messages(app, member, other, public):
    edited = send(member, public, "Première version")
    gone = send(member, public, "Regrettable")
    with transaction():
        services.check_edit(member, edited.id, "Seconde version")
        services.check_delete(member, gone.id)
    as_author = _history(app, member, public)
    as_reader = _history(app, other, public)
    # The author links to the versions; a plain reader only sees "modifié".
    assert f'href="/chat/messages/{edited.id}/versions"' in as_author[edited.id]["html"]
    assert "/versions" not in as_reader[edited.id]["html"]
    assert 'class="chat-edited"' in as_reader[edited.id]["html"]
    for messages in (as_author, as_reader):
        html = messages[gone.id]["html"]
        assert "is-deleted" in html and "Message supprimé" in html
        assert "Regrettable" not in html and "chat-message-actions" not in html


def test_the_page_and_the_ack_show_the_same_markup(app, client, member, other, public):
    message = send(other, public, "Bonjour **à tous**")
    own = send(member, public, "Merci")
    login(client, member)
    page = client.get(f"/chat/{public.id}").text
    socket = socket_for(app, member)
    history = {m["id"]: m for m in ack(socket, "chat:history",
                                       {"channel_id": public.id})["messages"]}
    for sent in (message, own):
        html = _without_token(history[sent.id]["html"])
        assert html.strip() in _without_token(page)


def test_history_by_ids_refreshes_messages_of_that_channel_only(app, member, other, public):
    ids = [send(member, public, f"Message {n}").id for n in range(5)]
    elsewhere = send(member, create_channel(member, "Tiers-lieux"), "Ailleurs")
    socket = socket_for(app, other)
    answer = ack(socket, "chat:history", {"channel_id": public.id,
                                          "ids": [ids[3], ids[1], elsewhere.id, 2**31 - 1]})
    assert answer["ok"] and answer["has_more"] is False
    assert [m["id"] for m in answer["messages"]] == [ids[1], ids[3]]
    assert all(m["html"].lstrip().startswith('<li class="chat-message')
               for m in answer["messages"])


@pytest.mark.parametrize("query", [
    {"ids": []}, {"ids": [0]}, {"ids": ["1"]}, {"ids": [True]}, {"ids": 3},
    {"ids": list(range(1, 102))}, {"ids": [1], "after_id": 1}, {"ids": [1], "before_id": 2},
])
def test_history_by_ids_is_checked(app, member, public, query):
    socket = socket_for(app, member)
    answer = ack(socket, "chat:history", {"channel_id": public.id, **query})
    assert answer["ok"] is False and answer["error"] == "invalid"


def test_live_events_carry_ids_not_markup(app, member, other, moderator, public):
    with capture_events() as events:
        message = send(member, public, "Visible de tous")
    [live] = [e for e in events if e["event"] == "chat:message"]
    assert live == {"event": "chat:message", "room": f"channel:{public.id}", "payload": {
        "type": "chat", "op": "message", "channel_id": public.id, "message_id": message.id,
        "client_id": message.client_id, "author_id": member.id}}
    socket = socket_for(app, member)
    with capture_events(1) as events:
        assert ack(socket, "chat:edit", {"message_id": message.id, "body": "Corrigé"})["ok"]
    assert events[0]["payload"] == {"type": "chat", "op": "updated", "channel_id": public.id,
                                    "message_id": message.id}
    with capture_events() as events:
        assert ack(socket, "chat:delete", {"message_id": message.id})["ok"]
    assert [e["payload"] for e in events if e["event"] == "chat:message_deleted"] == [{
        "type": "chat", "op": "deleted", "channel_id": public.id, "message_id": message.id}]


def test_one_rendering_per_variant_not_per_viewer(app, member, public):
    readers = [make_user() for _ in range(4)]
    for reader in readers:
        join(reader, public)
    message = send(member, public, "Pour tout le monde")
    memo = app.extensions.setdefault("chat.fragments", {})
    memo.clear()
    htmls = {_history(app, reader, public)[message.id]["html"] for reader in readers}
    assert len(htmls) == 1 and len(memo) == 1  # four viewers, one variant
    own = _history(app, member, public)[message.id]["html"]
    assert len(memo) == 2 and "is-mine" in own
    # The memo keeps the delete form's token as a slot, filled for each viewer.
    assert fragments.CSRF_SLOT not in own and 'name="csrf_token" value="' in own
    assert any(fragments.CSRF_SLOT in html for html in memo.values())


def test_an_edit_or_a_new_name_is_rendered_again(app, member, other, public):
    message = send(member, public, "Avant")
    before = _history(app, other, public)[message.id]["html"]
    with transaction():
        services.check_edit(member, message.id, "Après")
        member.display_name = "Sophie Martin-Durand"
    after = _history(app, other, public)[message.id]["html"]
    assert "Avant" in before and "Après" in after and "Sophie Martin-Durand" in after


def test_send_ack_carries_the_senders_markup(app, member, public):
    socket = socket_for(app, member)
    answer = ack(socket, "chat:send", {"channel_id": public.id, "body": "Salut @tous",
                                       "client_id": client_id()})
    html = answer["message"]["html"]
    assert f'data-client-id="{answer["message"]["client_id"]}"' in html
    assert "is-mine" in html and "/modifier" in html
