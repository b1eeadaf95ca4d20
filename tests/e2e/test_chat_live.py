"""Two members chat live in two browsers; one loses the network and comes back.

Sophie is on a desktop window, Mehdi on a phone-sized one (390 px). They see each other's
messages without reloading, the "… écrit…" line, and the unread badges of a channel where
the other writes. Then Mehdi's network goes: Sophie sends three messages, Mehdi types two
(shown "envoi…", kept in his outbox). When the network is back, both pages show the same
messages in the same order, each once, nothing pending.

Cutting the network: `context.set_offline(True)` makes every new connection fail (HTTP and
WebSocket handshakes: net::ERR_INTERNET_DISCONNECTED) but leaves an open WebSocket up
(Playwright issue #4910), so the test also closes the page's live connection, as a lost
network would; the client then retries, and fails, until the network is back.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.accounts.models import User
from app.chat import services as chat
from app.db import transaction
from app.extensions import db
from tests.e2e.test_onboarding import expect_live, log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# Reconnection backs off up to 5 s (socket.io-client's reconnectionDelayMax), then the
# catch-up and the outbox go; on a starved machine one attempt may hang until the client's
# 20 s connection timeout. Usually it takes 2 to 4 s.
BACK_ONLINE_MS = 25_000


# The page's own realtime.js (same URL, so the same module instance and the same socket):
# close its Engine.IO connection, as the network going away would.
CUT_CONNECTION = """() => import(document.querySelector('script[src*="/js/realtime."]').src)
    .then(({ socket }) => socket.io.engine.close())"""


def lose_network(context: BrowserContext) -> None:
    context.set_offline(True)
    for page in context.pages:
        page.evaluate(CUT_CONNECTION)


def message_ids(page: Page) -> list[int]:
    return page.locator("#chat-messages > li[data-message-id]").evaluate_all(
        "items => items.map((li) => Number(li.dataset.messageId))")


def message_texts(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(
        "#chat-messages > li.chat-message .chat-message-body").all_inner_texts()]


def send(page: Page, text: str) -> None:
    box = page.locator("#chat-body")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(box).to_be_focused()


def test_two_members_chat_live_lose_the_network_and_lose_nothing(
        live_server, new_context, browser_errors):
    with live_server.app.app_context():
        sophie = make_user(name="Sophie Martin", email="sophie@exemple.fr")
        mehdi = make_user(name="Mehdi Benali", email="mehdi@exemple.fr")
        with transaction():
            mobility = chat.check_create_channel(sophie, "Mobilité rurale", "", "public")
            chat.do_add_member(mobility, mehdi)
            third_places = chat.check_create_channel(mehdi, "Tiers-lieux", "", "public")
            chat.do_add_member(third_places, sophie)
        mobility_id, third_places_id = mobility.id, third_places.id

    # Offline, the browser logs the refused WebSocket and long-polling attempts.
    browser_errors.expect(r"ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed")

    sophie_context = new_context()
    mehdi_context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    author = sophie_context.new_page()
    reader = mehdi_context.new_page()
    for page, email in ((author, "sophie@exemple.fr"), (reader, "mehdi@exemple.fr")):
        log_in(page, email, PASSWORD)
        page.goto(f"/chat/{mobility_id}")
        expect_live(page)
        expect(page.locator("#chat")).to_have_attribute("data-live", "on")

    # 1. Live both ways, with the typing line.
    author.locator("#chat-body").fill("Bonjour Mehdi")
    expect(reader.locator("#chat-typing")).to_have_text("Sophie Martin écrit…")
    author.locator("#chat-body").press("Enter")
    expect(reader.locator("#chat-messages")).to_contain_text("Bonjour Mehdi")
    expect(reader.locator("#chat-typing")).to_have_text("")
    send(reader, "Salut Sophie, tu as vu le **transport solidaire** ?")
    expect(author.locator("#chat-messages strong", has_text="transport solidaire")).to_be_visible()
    for page in (author, reader):
        expect(page.locator("#chat-messages > li.is-pending")).to_have_count(0)
    assert message_ids(author) == message_ids(reader)
    assert message_texts(reader) == [
        "Bonjour Mehdi", "Salut Sophie, tu as vu le transport solidaire ?"]

    # 2. Mehdi writes in another channel: Sophie's badges (that channel, and "Chat").
    elsewhere = mehdi_context.new_page()
    elsewhere.goto(f"/chat/{third_places_id}")
    expect(elsewhere.locator("#chat")).to_have_attribute("data-live", "on")
    send(elsewhere, "Qui vient jeudi à la Fabrique ?")
    expect(elsewhere.locator("#chat-messages > li[data-message-id]")).to_have_count(1)
    elsewhere.close()
    def badge(channel_id):
        return author.locator(f"#chat-channels [data-unread-for='{channel_id}']")

    expect(badge(third_places_id)).to_have_text("1")
    expect(author.locator("[data-chat-badge]")).to_have_text("1")
    expect(badge(mobility_id)).to_be_hidden()

    # 3. Mehdi loses the network.
    lose_network(mehdi_context)
    expect(reader.locator("body")).to_have_attribute("data-live", "off")
    expect(reader.locator("#chat")).to_have_attribute("data-live", "off")

    for text in ("Premier pendant ton absence", "Deuxième", "Troisième"):
        send(author, text)
    expect(author.locator("#chat-messages > li.is-pending")).to_have_count(0)

    # Offline, the composer still works: the messages wait, shown as being sent.
    send(reader, "J'écris dans le train")
    send(reader, "Le réseau revient bientôt")
    pending = reader.locator("#chat-messages > li.is-pending")
    expect(pending).to_have_count(2)
    expect(pending.first).to_contain_text("envoi…")
    expect(reader.get_by_role("status")).to_contain_text("Hors connexion")
    expect(reader.locator("#chat-messages")).not_to_contain_text("Troisième")

    # 4. Back online: catch-up, then the outbox, in order; the same list on both sides.
    mehdi_context.set_offline(False)
    expect(reader.locator("#chat")).to_have_attribute("data-live", "on", timeout=BACK_ONLINE_MS)
    expect(pending).to_have_count(0, timeout=BACK_ONLINE_MS)
    expected = [
        "Bonjour Mehdi", "Salut Sophie, tu as vu le transport solidaire ?",
        "Premier pendant ton absence", "Deuxième", "Troisième",
        "J'écris dans le train", "Le réseau revient bientôt",
    ]
    for page in (author, reader):
        expect(page.locator("#chat-messages > li[data-message-id]")).to_have_count(len(expected))
        assert message_texts(page) == expected
    ids = message_ids(reader)
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
    assert message_ids(author) == ids
    expect(reader.get_by_role("status")).to_be_hidden()


def test_unsent_messages_survive_a_reload_and_are_sent_once(live_server, new_context):
    """The outbox outlives the page: a message whose ack was lost is not sent twice, one
    that never left is sent when the page comes back."""
    with live_server.app.app_context():
        sophie = make_user(name="Sophie Martin", email="sophie@exemple.fr")
        with transaction():
            channel = chat.check_create_channel(sophie, "Mobilité rurale", "", "public")
        sophie_id, channel_id = sophie.id, channel.id

    page = new_context().new_page()
    log_in(page, "sophie@exemple.fr", PASSWORD)
    page.goto(f"/chat/{channel_id}")
    expect(page.locator("#chat")).to_have_attribute("data-live", "on")
    # As a tab closed too early would leave it: two messages waiting for their ack.
    key = f"chat-outbox:{sophie_id}:{channel_id}"
    page.evaluate("([key, items]) => localStorage.setItem(key, JSON.stringify(items))", [key, [
        {"client_id": "ack-lost-0001", "body": "Arrivé, mais sans accusé de réception"},
        {"client_id": "never-sent-0002", "body": "Jamais parti"},
    ]])
    # The server did get the first one.
    with live_server.app.app_context(), transaction():
        chat.check_send(db.session.get(User, sophie_id), channel_id,
                        "Arrivé, mais sans accusé de réception", "ack-lost-0001")

    page.reload()
    expect(page.locator("#chat")).to_have_attribute("data-live", "on")
    expect(page.locator("#chat-messages > li.is-pending")).to_have_count(0)
    expect(page.locator("#chat-messages > li[data-message-id]")).to_have_count(2)
    assert message_texts(page) == ["Arrivé, mais sans accusé de réception", "Jamais parti"]
    assert page.evaluate("(key) => localStorage.getItem(key)", key) is None
    page.reload()
    expect(page.locator("#chat")).to_have_attribute("data-live", "on")
    assert message_texts(page) == ["Arrivé, mais sans accusé de réception", "Jamais parti"]


# The page's own socket: count what it asks the server (chat:history requests).
COUNT_HISTORY = """() => import(document.querySelector('script[src*="/js/realtime."]').src)
    .then(({ socket }) => {
      window.historyRequests = [];
      const emit = socket.emit.bind(socket);
      socket.emit = (event, ...args) => {
        if (event === "chat:history") window.historyRequests.push(args[0]);
        return emit(event, ...args);
      };
    })"""


def message_item(page: Page, text: str):
    return page.locator("#chat-messages > li[data-message-id]", has_text=text)


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', html)


def test_live_messages_are_the_servers_markup_for_each_viewer(live_server, new_context):
    """A message arriving live is the fragment the server renders for that reader: the
    moderator gets the delete control, a plain member does not, and a reload shows the same
    markup. Deleting it live reaches the others; a burst of messages costs one or two
    catch-up requests, not one per message."""
    with live_server.app.app_context():
        sophie = make_user(name="Sophie Martin", email="sophie@exemple.fr")
        helene = make_user(name="Hélène Garnier", email="helene@exemple.fr")
        make_user(name="Mehdi Benali", email="mehdi@exemple.fr", role="moderator")
        with transaction():
            channel = chat.check_create_channel(sophie, "Mobilité rurale", "", "public")
            chat.do_add_member(channel, helene)
        sophie_id, channel_id = sophie.id, channel.id

    pages = {}
    for email in ("sophie@exemple.fr", "helene@exemple.fr", "mehdi@exemple.fr"):
        page = new_context().new_page()
        log_in(page, email, PASSWORD)
        page.goto(f"/chat/{channel_id}")
        expect(page.locator("#chat")).to_have_attribute("data-live", "on")
        pages[email.split("@")[0]] = page
    author, member, moderator = pages["sophie"], pages["helene"], pages["mehdi"]

    send(author, "Rendez-vous **jeudi** à la Fabrique")
    for page in (member, moderator):
        expect(message_item(page, "Rendez-vous jeudi")).to_have_count(1)
    # The moderator (reading a public channel) may delete it; a plain member has no control.
    live = message_item(moderator, "Rendez-vous jeudi")
    live.hover()
    assert live.locator(".chat-message-actions summary", has_text="Supprimer").is_visible()
    assert live.locator("a", has_text="Modifier").count() == 0
    live = message_item(member, "Rendez-vous jeudi")
    live.hover()
    assert not live.locator("summary", has_text="Supprimer").is_visible()
    assert live.locator(".chat-message-actions").count() == 0
    # What came live is what a reload shows: same text, same link to the author's profile.
    before = {}
    for name in ("helene", "mehdi"):
        item = message_item(pages[name], "Rendez-vous jeudi")
        author_link = item.locator("a.chat-author")
        before[name] = (item.locator(".chat-message-body").inner_text(),
                        author_link.get_attribute("href"), author_link.inner_text(),
                        without_token(item.evaluate("li => li.outerHTML")))
        assert before[name][1] == f"/membres/{sophie_id}"
        assert before[name][2] == "Sophie Martin"
        pages[name].reload()
        expect(pages[name].locator("#chat")).to_have_attribute("data-live", "on")
        item = message_item(pages[name], "Rendez-vous jeudi")
        author_link = item.locator("a.chat-author")
        assert (item.locator(".chat-message-body").inner_text(),
                author_link.get_attribute("href"), author_link.inner_text(),
                without_token(item.evaluate("li => li.outerHTML"))) == before[name]

    # The moderator deletes it with a reason, over the socket: everyone sees it go.
    item = message_item(moderator, "Rendez-vous jeudi")
    item.hover()
    item.locator("summary", has_text="Supprimer").click()
    item.locator("input[name=reason]").fill("Doublon")
    item.get_by_role("button", name="Oui, supprimer").click()
    for page in (author, member, moderator):
        gone = page.locator("#chat-messages > li.is-deleted")
        expect(gone).to_have_count(1)
        expect(gone).to_contain_text("Message supprimé")
        expect(page.locator("#chat-messages")).not_to_contain_text("Rendez-vous")

    # A burst of 50 messages: the reader asks for them once or twice, and shows each once.
    member.evaluate(COUNT_HISTORY)
    live_server.app.config["CHAT_RATE_LIMIT"] = "1000 per minute"  # one writer, 50 at once
    with live_server.app.app_context(), transaction():
        writer = db.session.get(User, sophie_id)
        for n in range(50):
            chat.check_send(writer, channel_id, f"Rafale {n}", f"burst-message-{n:04d}")
    expect(member.locator("#chat-messages > li[data-message-id]")).to_have_count(51)
    requests = member.evaluate("window.historyRequests")
    assert 1 <= len(requests) <= 2, requests
    assert message_texts(member)[1:] == [f"Rafale {n}" for n in range(50)]
    ids = message_ids(member)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
