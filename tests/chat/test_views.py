"""Chat pages: the list, a channel, the forms that work without JavaScript, the unread
JSON, 404 for what a member may not see, and constant query counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.chat import services
from app.chat.models import Channel, ChannelMember, Message
from app.db import transaction
from app.extensions import db
from tests.chat.conftest import client_id, create_channel, direct, join, send
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import assert_query_count, capture_events


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_chat_is_in_the_navigation_with_the_unread_badge(app, client, member, other, public):
    login(client, other)
    page = client.get("/").text
    assert 'href="/chat"' in page
    assert re.search(r"<span[^>]*data-chat-badge[^>]*hidden>0</span>", page)
    send(member, public, "Un")
    send(member, public, "Deux")
    page = client.get("/").text
    badge = re.search(r"<span[^>]*data-chat-badge[^>]*>(\d+)</span>", page)
    assert badge.group(1) == "2" and " hidden>" not in badge.group(0)
    assert 'js/chat-badge.' in page
    assert client.get("/rubrique/chat").status_code == 404


def test_index_lists_channels_and_conversations(app, client, member, other, third, public):
    create_channel(third, "Tiers-lieux")
    create_channel(third, "Secret", kind="private")
    conversation = direct(member, other)
    send(other, conversation, "Coucou")
    login(client, member)
    page = client.get("/chat").text
    assert '<nav id="chat-channels"' in page
    assert f'data-channel-link="{public.id}"' in page
    assert f'data-channel-link="{conversation.id}"' in page
    assert f'data-unread-for="{conversation.id}"' in page
    assert "Tiers-lieux" in page and "Secret" not in page
    assert f'data-presence-for="{other.id}"' in page
    assert 'name="q"' in page and 'js/chat.' in page
    filtered = client.get("/chat?q=tiers").text
    assert "Tiers-lieux" in filtered and f'data-channel-link="{public.id}"' not in filtered


def test_create_channels_and_direct_conversations(app, client, member, other, third):
    login(client, member)
    response = client.post("/chat/salons", data={"name": "Mobilités", "topic": "Bouger",
                                                 "kind": "private"})
    channel = db.session.scalar(select(Channel).where(Channel.name == "Mobilités"))
    assert response.status_code == 302 and response.location.endswith(f"/chat/{channel.id}")
    assert channel.kind == "private"
    response = client.post("/chat/salons", data={"name": "", "kind": "public"})
    assert response.status_code == 400 and "obligatoire" in response.text
    response = client.post("/chat/direct", data={"members": [str(other.id), str(third.id)]})
    assert response.status_code == 302
    again = client.post("/chat/direct", data={"members": [str(third.id), str(other.id)]})
    assert again.location == response.location
    assert client.post("/chat/direct", data={"members": ["abc"]}).status_code == 400
    assert client.post("/chat/direct", data={}).status_code == 400


def test_channel_page_hooks_for_the_script(app, client, member, other, public):
    ids = [send(other, public, f"Message {n}").id for n in range(3)]
    login(client, member)
    page = client.get(f"/chat/{public.id}").text
    section = re.search(r'<section id="chat"[^>]*>', page).group(0)
    for attribute in (f'data-channel-id="{public.id}"', f'data-last-message-id="{ids[-1]}"',
                      f'data-user-id="{member.id}"', 'data-message-max="4000"',
                      'data-last-read-id="'):
        assert attribute in section
    assert '<ol id="chat-messages"' in page
    for message_id in ids:
        assert f'id="message-{message_id}"' in page
        assert f'data-message-id="{message_id}"' in page
    assert f'data-author-id="{other.id}"' in page
    assert re.search(r'<form id="chat-composer" method="post"', page)
    assert re.search(r'<textarea[^>]*name="body"[^>]*maxlength="4000"[^>]*data-mentions', page)
    assert re.search(r'<input type="hidden" name="client_id" value="[A-Za-z0-9_-]{8,64}">', page)
    assert '<p id="chat-typing" aria-live="polite">' in page
    assert f'data-presence-for="{other.id}"' in page
    assert 'js/chat.' in page


def test_first_unread_marker_and_reading_the_page(app, client, member, other, public):
    send(member, public, "Déjà lu")
    with transaction():
        services.check_read(other, public.id, 2**31 - 1)
    first = send(member, public, "Nouveau 1")
    send(member, public, "Nouveau 2")
    login(client, other)
    with capture_events() as events:
        page = client.get(f"/chat/{public.id}").text
    marker = page.index('id="chat-first-unread"')
    assert page.index(f'id="message-{first.id}"') > marker > page.index("Déjà lu")
    assert 'href="#chat-first-unread"' in page and "Aller au premier message non lu" in page
    # Seeing the newest messages reads them; the member's other tabs hear of it.
    assert services.unread_counts(other).total == 0
    assert [e["event"] for e in events] == ["chat:unread"]
    page = client.get(f"/chat/{public.id}").text
    assert 'id="chat-first-unread"' not in page


def test_older_messages_link(app, client, member, public):
    ids = [send(member, public, f"Message {n}").id for n in range(55)]
    login(client, member)
    page = client.get(f"/chat/{public.id}").text
    assert f'?avant={ids[5]}"' in page and "Messages plus anciens" in page
    assert f'id="message-{ids[4]}"' not in page
    older = client.get(f"/chat/{public.id}?avant={ids[5]}").text
    assert f'id="message-{ids[0]}"' in older and f'id="message-{ids[5]}"' not in older
    assert "Messages plus anciens" not in older


def test_sending_without_javascript_is_idempotent(app, client, member, other, public):
    login(client, member)
    cid = client_id()
    response = client.post(f"/chat/{public.id}", data={"body": "Sans JS", "client_id": cid})
    message = db.session.scalar(select(Message))
    assert response.status_code == 302
    assert response.location.endswith(f"/chat/{public.id}#message-{message.id}")
    again = client.post(f"/chat/{public.id}", data={"body": "Sans JS", "client_id": cid})
    assert again.location == response.location
    assert _count(Message) == 1


@pytest.mark.parametrize(("data", "status", "text"), [
    ({"body": "", "client_id": "abcdefgh"}, 400, "vide"),
    ({"body": "x" * 4001, "client_id": "abcdefgh"}, 400, "trop long"),
    ({"body": "Bonjour", "client_id": "x"}, 400, "Identifiant"),
    ({"body": "Bonjour"}, 400, "Identifiant"),
])
def test_refused_sends_keep_the_text(app, client, member, public, data, status, text):
    login(client, member)
    response = client.post(f"/chat/{public.id}", data=data)
    assert response.status_code == status and text in response.text
    if data["body"]:
        assert data["body"][:50] in response.text
    assert _count(Message) == 0


def test_rate_limited_send_keeps_the_text(app, client, member, public):
    app.config["CHAT_RATE_LIMIT"] = "1 per minute"
    login(client, member)
    client.post(f"/chat/{public.id}", data={"body": "Un", "client_id": client_id()})
    response = client.post(f"/chat/{public.id}", data={"body": "Deux", "client_id": client_id()})
    assert response.status_code == 429 and "Deux" in response.text


def test_outsiders_get_404_everywhere(app, client, member, other, private, outsider):
    message = send(member, private, "Secret")
    conversation = direct(member, other)
    dm = send(member, conversation, "Entre nous")
    login(client, outsider)
    for channel_id in (private.id, conversation.id, 424242):
        assert client.get(f"/chat/{channel_id}").status_code == 404
        for action in ("rejoindre", "quitter", "inviter", "reglages",
                       f"membres/{member.id}/retirer"):
            assert client.post(f"/chat/{channel_id}/{action}").status_code == 404
        assert client.post(f"/chat/{channel_id}", data={
            "body": "x", "client_id": client_id()}).status_code == 404
    for message_id in (message.id, dm.id):
        assert client.get(f"/chat/messages/{message_id}/modifier").status_code == 404
        assert client.post(f"/chat/messages/{message_id}/supprimer").status_code == 404
        assert client.get(f"/chat/messages/{message_id}/versions").status_code == 404
    assert "Secret" not in client.get("/chat").text
    assert client.get("/chat/non-lus").json == {"total": 0, "total_unread": 0, "channels": {}}


def test_public_channel_join_then_send(app, client, member, third, public):
    login(client, third)
    page = client.get(f"/chat/{public.id}").text
    assert "Rejoindre le salon" in page and 'id="chat-composer"' not in page
    assert client.post(f"/chat/{public.id}", data={
        "body": "Trop tôt", "client_id": client_id()}).status_code == 403
    assert client.post(f"/chat/{public.id}/rejoindre").status_code == 302
    response = client.post(f"/chat/{public.id}", data={"body": "Bonjour",
                                                       "client_id": client_id()})
    assert response.status_code == 302
    assert 'id="chat-composer"' in client.get(f"/chat/{public.id}").text


def test_leave_invite_remove_and_preferences(app, client, member, other, third, private):
    login(client, member)
    assert client.post(f"/chat/{private.id}/inviter",
                       data={"members": [str(third.id)]}).status_code == 302
    assert db.session.get(ChannelMember, (private.id, third.id)) is not None
    assert client.post(f"/chat/{private.id}/membres/{third.id}/retirer").status_code == 302
    assert db.session.get(ChannelMember, (private.id, third.id)) is None
    assert client.post(f"/chat/{private.id}/reglages",
                       data={"muted": "y", "notify_level": "none"}).status_code == 302
    membership = db.session.get(ChannelMember, (private.id, member.id))
    assert (membership.muted, membership.notify_level) == (True, "none")
    assert client.post(f"/chat/{private.id}/reglages",
                       data={"notify_level": "bizarre"}).status_code == 400
    assert client.post(f"/chat/{private.id}/quitter").status_code == 302
    assert client.get(f"/chat/{private.id}").status_code == 404


def test_members_cannot_remove_others(app, client, member, other, private):
    login(client, other)
    assert client.post(f"/chat/{private.id}/membres/{member.id}/retirer").status_code == 403


def test_edit_and_delete_pages(app, client, member, other, moderator, public):
    message = send(member, public, "Premier jet")
    login(client, member)
    assert client.get(f"/chat/messages/{message.id}/modifier").status_code == 200
    response = client.post(f"/chat/messages/{message.id}/modifier", data={"body": "Propre"})
    assert response.status_code == 302
    page = client.get(f"/chat/{public.id}").text
    assert "Propre" in page and "modifié" in page
    versions = client.get(f"/chat/messages/{message.id}/versions").text
    assert "Premier jet" in versions
    assert client.post(f"/chat/messages/{message.id}/modifier",
                       data={"body": ""}).status_code == 400
    client.post("/deconnexion")
    login(client, other)
    assert client.get(f"/chat/messages/{message.id}/modifier").status_code == 403
    assert client.post(f"/chat/messages/{message.id}/supprimer").status_code == 403
    assert client.get(f"/chat/messages/{message.id}/versions").status_code == 403
    page = client.get(f"/chat/{public.id}").text
    assert f"/chat/messages/{message.id}/supprimer" not in page
    client.post("/deconnexion")
    login(client, moderator)
    response = client.post(f"/chat/messages/{message.id}/supprimer",
                           data={"reason": "Doublon"})
    assert response.status_code == 302
    assert db.session.get(Message, message.id).deleted_reason == "Doublon"
    page = client.get(f"/chat/{public.id}").text
    assert "Message supprimé" in page and "Propre" not in page


def test_unread_json(app, client, member, other, public):
    second = create_channel(member, "Second")
    join(other, second)
    send(member, public, "A")
    send(member, second, "B")
    send(member, second, "C")
    login(client, other)
    assert client.get("/chat/non-lus").json == {
        "total": 3, "total_unread": 3, "channels": {str(public.id): 1, str(second.id): 2}}


def test_markup_in_names_and_messages_is_inert(app, client, member, other):
    channel = create_channel(member, '<img src=x onerror=alert(1)>"><script>alert(2)</script>',
                             topic="<b>sujet</b>")
    join(other, channel)
    send(member, channel, "<script>alert(3)</script>")
    evil = make_user(name='<svg onload=alert(4)>')
    join(evil, channel)
    send(evil, channel, "Coucou")
    conversation = direct(member, evil)
    for url in ("/chat", f"/chat/{channel.id}", f"/chat/{conversation.id}"):
        login(client, member)
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<svg onload" not in page and "<b>sujet</b>" not in page
        client.post("/deconnexion")


def test_nothing_without_login(app, client, public):
    for url in ("/chat", f"/chat/{public.id}", "/chat/non-lus"):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.location


@pytest.mark.parametrize("url", ["/chat/0", "/chat/abc", "/chat/2147483648",
                                 "/chat/messages/99999999999/modifier"])
def test_malformed_urls_are_404(app, client, member, url):
    login(client, member)
    assert client.get(url).status_code == 404


# Query counts ------------------------------------------------------------------------------------

def _fill(channel, authors, n):
    for i in range(n):
        send(authors[i % len(authors)], channel, f"Message {i} avec **gras**")


@pytest.mark.parametrize("size", [10, 60])
def test_channel_page_costs_the_same_whatever_its_length(app, client, member, other, public,
                                                         size):
    authors = [member, other] + [make_user() for _ in range(3)]
    for author in authors[2:]:
        join(author, public)
    _fill(public, authors, size)
    direct(member, other)  # the channel list also names conversation partners
    login(client, member)
    client.get(f"/chat/{public.id}")
    # Channel, membership, messages (authors joined), channel list (memberships, channels
    # to join, unread counts, partners), members, members to invite.
    with assert_query_count(9):
        assert client.get(f"/chat/{public.id}").status_code == 200


@pytest.mark.parametrize("size", [2, 12])
def test_index_costs_the_same_whatever_the_channels(app, client, member, size):
    for n in range(size):
        channel = create_channel(member, f"Salon {n}")
        send(member, channel, "Bonjour")
        conversation = direct(member, make_user())
        send(member, conversation, "Salut")
    login(client, member)
    client.get("/chat")
    with assert_query_count(5):
        assert client.get("/chat").status_code == 200
