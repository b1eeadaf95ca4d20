"""The onboarding path in a real browser: invite -> accept -> profile -> log in again ->
find oneself in the directory; and the menu on a phone-sized screen.

Every page runs under the strict CSP; the `browser_errors` fixture fails the test on any
console error (CSP violations included) or uncaught script error.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

INVITEE_EMAIL = "nouvelle@exemple.fr"
INVITEE_NAME = "Léa Fontaine"
INVITEE_PASSWORD = "un jardin sur les causses"
LINK = re.compile(r"https?://\S+/invitation/\S+")


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/connexion"))


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Navigation principale")


def open_menu_if_folded(page: Page) -> None:
    """On small screens the navigation sits behind the "Menu" disclosure: open it."""
    toggle = page.locator("details.nav-toggle")
    if not main_nav(page).is_visible():
        toggle.locator("summary").click()
        expect(toggle).to_have_attribute("open", "")
    expect(main_nav(page)).to_be_visible()


def follow_nav(page: Page, name: str) -> None:
    open_menu_if_folded(page)
    main_nav(page).get_by_role("link", name=name, exact=True).click()


def expect_live(page: Page) -> None:
    """realtime.js sets body[data-live=on] once the Socket.IO connection is up."""
    expect(page.locator("body")).to_have_attribute("data-live", "on", timeout=5_000)


def test_invited_member_joins_fills_profile_and_finds_herself(
        live_server, new_context, browser_errors):
    with live_server.app.app_context():
        make_user(name="Claire Dubois", email="claire@exemple.fr", role="admin")

    # 1. The admin invites a new catalyst from the administration pages.
    admin = new_context().new_page()
    sockets: list[str] = []
    admin.on("websocket", lambda ws: sockets.append(ws.url))
    log_in(admin, "claire@exemple.fr", PASSWORD)
    expect(admin).to_have_url(live_server.url + "/")
    expect_live(admin)
    # The threaded werkzeug server speaks WebSocket (simple-websocket): no polling fallback.
    assert any("/socket.io/" in url and "transport=websocket" in url for url in sockets), sockets
    follow_nav(admin, "Administration")
    expect(admin).to_have_url(re.compile(r"/admin/membres$"))
    admin.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Invitations").click()
    expect(admin).to_have_url(re.compile(r"/admin/invitations$"))
    admin.get_by_label("Adresse e-mail").fill(INVITEE_EMAIL)
    admin.get_by_role("button", name="Envoyer l'invitation").click()
    expect(admin.locator(".flash-success")).to_have_text(f"Invitation envoyée à {INVITEE_EMAIL}.")
    pending = admin.locator(".invitation-list li")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(INVITEE_EMAIL)
    expect(pending).to_contain_text("envoyée 1 fois")

    # 2. The invitee opens the link from the email, in her own browser.
    outbox = live_server.outbox()
    assert [m.to for m in outbox] == [[INVITEE_EMAIL]]
    found = LINK.search(outbox[0].body)
    assert found, outbox[0].body
    link = found.group(0)
    assert urlsplit(link).netloc == urlsplit(live_server.url).netloc, link

    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Bienvenue dans le réseau")
    expect(invitee.locator("main")).to_contain_text(INVITEE_EMAIL)
    invitee.get_by_label("Prénom et nom").fill(INVITEE_NAME)
    invitee.get_by_label("Mot de passe", exact=True).fill(INVITEE_PASSWORD)
    invitee.get_by_label("Confirmez le mot de passe").fill(INVITEE_PASSWORD + " !")
    invitee.get_by_role("button", name="Créer mon compte").click()
    # A typo in the confirmation: the form comes back with the error, the name kept.
    expect(invitee.locator(".field.has-error")).to_contain_text(
        "Les deux mots de passe diffèrent.")
    expect(invitee.get_by_label("Prénom et nom")).to_have_value(INVITEE_NAME)
    invitee.get_by_label("Mot de passe", exact=True).fill(INVITEE_PASSWORD)
    invitee.get_by_label("Confirmez le mot de passe").fill(INVITEE_PASSWORD)
    invitee.get_by_role("button", name="Créer mon compte").click()
    expect(invitee).to_have_url(live_server.url + "/profil")
    expect(invitee.locator(".flash-success")).to_contain_text("Bienvenue dans le réseau !")
    expect(invitee.locator(".user-menu .me")).to_contain_text(INVITEE_NAME)

    # 3. She fills in her profile.
    invitee.get_by_label("Structure", exact=True).fill("Tiers-lieu des Causses")
    invitee.get_by_label("Fonction", exact=True).fill("Chargée de mission")
    invitee.get_by_label("Territoire (commune").fill("Millau")
    invitee.get_by_label("Région", exact=True).select_option(label="Occitanie")
    invitee.get_by_label("Profil de catalyseur", exact=True).select_option(
        label="Acteur associatif")
    invitee.get_by_role("checkbox", name="Dialogue territorial").check()
    invitee.get_by_role("checkbox", name="Isolement / lien social").check()
    invitee.get_by_label("Présentation (Markdown)", exact=True).fill(
        "Je facilite le **dialogue** entre habitants et élus.\n\n"
        "- ateliers de quartier\n- médiation\n\n"
        "<img src=x onerror=alert(1)>")
    invitee.get_by_role("button", name="Enregistrer mon profil").click()
    expect(invitee).to_have_url(re.compile(r"/membres/\d+$"))
    profile_url = invitee.url
    expect(invitee.locator(".flash-success")).to_have_text("Profil enregistré.")
    expect(invitee.get_by_role("heading", level=1)).to_have_text(INVITEE_NAME)
    header = invitee.locator(".profile-header")
    expect(header).to_contain_text("Chargée de mission · Tiers-lieu des Causses")
    expect(header).to_contain_text("Millau, Occitanie")
    prose = invitee.locator(".prose")
    expect(prose.locator("strong")).to_have_text("dialogue")
    expect(prose.locator("li")).to_have_text(["ateliers de quartier", "médiation"])
    # Raw HTML in the bio is shown as text, never turned into an element.
    expect(prose).to_contain_text("<img src=x onerror=alert(1)>")
    expect(prose.locator("img")).to_have_count(0)
    expect(invitee.locator("dl.facts")).to_contain_text("Acteur associatif")
    expect(invitee.get_by_role("list", name="Métiers")).to_have_text("Dialogue territorial")
    expect(invitee.get_by_role("list", name="Domaines de fragilité")).to_have_text(
        "Isolement / lien social")

    # 4. She logs out and back in with the password she chose.
    open_menu_if_folded(invitee)
    invitee.get_by_role("button", name="Se déconnecter").click()
    expect(invitee).to_have_url(re.compile(r"/connexion$"))
    expect(invitee.locator(".flash-info")).to_have_text("Vous êtes déconnecté·e.")
    expect(invitee.locator(".user-menu")).to_have_count(0)
    log_in(invitee, INVITEE_EMAIL, INVITEE_PASSWORD)
    expect(invitee).to_have_url(live_server.url + "/")
    expect_live(invitee)

    # 5. She finds herself in the directory: region filter, accent-free search.
    follow_nav(invitee, "Annuaire")
    expect(invitee).to_have_url(re.compile(r"/annuaire$"))
    filters = invitee.get_by_role("search", name="Filtrer l'annuaire")
    filters.get_by_label("Région", exact=True).select_option(label="Occitanie")
    filters.get_by_label("Nom ou structure").fill("lea")
    filters.get_by_role("button", name="Filtrer").click()
    expect(invitee).to_have_url(re.compile(r"/annuaire\?.*q=lea"))
    expect(invitee.locator(".results-count")).to_have_text("1 catalyseur")
    cards = invitee.locator(".member-card")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text(INVITEE_NAME)
    expect(cards).to_contain_text("Dialogue territorial")
    cards.get_by_role("link", name=INVITEE_NAME).click()
    expect(invitee).to_have_url(profile_url)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(INVITEE_NAME)

    # 6. The invitation link has served: opened again, it says so (a 404 page).
    browser_errors.expect(r"status of 404", url=re.escape(link))
    response = invitee.goto(link)
    assert response is not None and response.status == 404
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Ce lien n'est plus valable")
    expect(invitee.get_by_label("Prénom et nom")).to_have_count(0)


def test_menu_reachable_on_a_phone(live_server, new_context):
    with live_server.app.app_context():
        make_user(name="Sophie Martin", email="sophie@exemple.fr", region="OCC")

    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                        has_touch=True).new_page()
    log_in(phone, "sophie@exemple.fr", PASSWORD)
    toggle = phone.locator("details.nav-toggle")
    summary = toggle.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_text("Menu")
    expect(main_nav(phone)).to_be_hidden()
    summary.click()
    expect(toggle).to_have_attribute("open", "")
    directory = main_nav(phone).get_by_role("link", name="Annuaire", exact=True)
    expect(directory).to_be_visible()
    directory.click()
    expect(phone).to_have_url(re.compile(r"/annuaire$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Annuaire des catalyseurs")
    expect(phone.locator(".member-card")).to_contain_text("Sophie Martin")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
