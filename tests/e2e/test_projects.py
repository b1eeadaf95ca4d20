"""A private project in two real browsers: Sophie creates it, adds Hélène, posts on its
wall, chats in its channel, adds an action (Hélène's list updates live) and a meeting (in
Hélène's agenda, not in Olivier's); Hélène uploads a document, Sophie publishes it from the
project's queue and reads it in her news feed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_onboarding import expect_live, log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def test_private_project_space(live_server, new_context, browser_errors):
    with live_server.app.app_context():
        make_user(name="Sophie Martin", email="sophie@exemple.fr")
        make_user(name="Hélène Garnier", email="helene@exemple.fr")
        make_user(name="Olivier Dehors", email="olivier@exemple.fr")

    sophie = new_context().new_page()
    log_in(sophie, "sophie@exemple.fr", PASSWORD)
    sophie.goto("/projets/")
    sophie.get_by_role("link", name="Créer un projet").click()
    sophie.get_by_label("Titre du projet").fill("Épicerie solidaire du bourg")
    sophie.get_by_label("En une phrase").fill("Une épicerie tenue par les habitants")
    sophie.get_by_label("Visibilité").select_option("private")
    sophie.get_by_role("button", name="Créer le projet").click()
    expect(sophie.get_by_role("heading", level=1)).to_have_text("Épicerie solidaire du bourg")
    project_url = sophie.url

    # Invite Hélène.
    sophie.locator(".project-tabs").get_by_role("link", name="Membres").click()
    sophie.get_by_label("Membres à ajouter").select_option(label="Hélène Garnier")
    sophie.get_by_role("button", name="Ajouter au projet").click()
    expect(sophie.locator(".project-members")).to_contain_text("Hélène Garnier")

    # Post on its wall.
    sophie.locator(".project-tabs").get_by_role("link", name="Mur").click()
    sophie.locator(".composer-summary").click()
    sophie.get_by_role("textbox", name="Message").fill("Premier compte rendu du comité")
    sophie.get_by_role("button", name="Publier", exact=True).click()
    expect(sophie.locator(".post-list")).to_contain_text("Premier compte rendu du comité")

    # Chat in its channel.
    sophie.locator(".project-tabs").get_by_role("link", name="Chat").click()
    sophie.get_by_role("link", name="Ouvrir le salon").click()
    expect_live(sophie)
    sophie.locator("#chat-body").fill("Bonjour l'équipe !")
    sophie.locator("#chat-body").press("Enter")
    expect(sophie.locator("#chat-messages")).to_contain_text("Bonjour l'équipe !")

    # Hélène sees the project, its wall post and the chat message; Olivier does not.
    helene = new_context().new_page()
    log_in(helene, "helene@exemple.fr", PASSWORD)
    helene.goto("/")
    helene.get_by_role("link", name="Épicerie solidaire du bourg").first.click()
    helene.locator(".project-tabs").get_by_role("link", name="Mur").click()
    expect(helene.locator(".post-list")).to_contain_text("Premier compte rendu du comité")
    helene.locator(".project-tabs").get_by_role("link", name="Chat").click()
    expect(helene.locator(".project-chat-preview")).to_contain_text("Bonjour l'équipe !")
    helene.locator(".project-tabs").get_by_role("link", name="Actions").click()
    expect_live(helene)

    # Sophie adds an action for Hélène: Hélène's list shows it without reloading.
    sophie.goto(project_url + "/actions")
    form = sophie.locator("#action-form")
    form.get_by_label("Action", exact=True).fill("Appeler la mairie")
    form.get_by_label("Responsable").select_option(label="Hélène Garnier")
    form.get_by_role("button", name="Ajouter l'action").click()
    expect(sophie.locator(".project-actions")).to_contain_text("Appeler la mairie")
    expect(helene.locator(".project-actions")).to_contain_text("Appeler la mairie")

    # And a meeting, in Paris time, with its .ics.
    sophie.locator(".project-tabs").get_by_role("link", name="Réunions").click()
    sophie.get_by_label("Titre").fill("Comité de pilotage")
    sophie.get_by_label("Date et heure (heure de Paris)").fill("2030-03-05T18:00")
    sophie.get_by_label("Lien de visioconférence").fill("https://visio.exemple.fr/comite")
    sophie.get_by_role("button", name="Planifier").click()
    meeting = sophie.locator(".project-meeting").first
    expect(meeting).to_contain_text("Comité de pilotage")
    expect(meeting).to_contain_text("18:00")
    with sophie.expect_download() as download:
        meeting.get_by_role("link", name=re.compile("agenda")).click()
    assert download.value.suggested_filename == "comite-de-pilotage.ics"

    helene.goto("/agenda/")
    expect(helene.locator("main")).to_contain_text(
        "Comité de pilotage · Épicerie solidaire du bourg")

    # Hélène uploads a document with the library's uploader; Sophie publishes it.
    helene.goto(project_url + "/documents")
    upload = helene.locator("[data-library-upload]")
    upload.get_by_label("Fichiers").set_input_files(files=[{
        "name": "diagnostic.md", "mimeType": "text/markdown",
        "buffer": b"# Diagnostic\n\nLes habitants veulent des produits locaux."}])
    upload.get_by_label("Titre", exact=True).fill("Diagnostic des besoins")
    upload.get_by_label("Type de document").select_option("etude")
    upload.get_by_role("button", name="Déposer").click()
    expect(upload.locator(".lib-upload")).to_contain_text("Envoyé")
    helene.reload()
    expect(helene.locator("main")).to_contain_text("Vos documents en attente")

    sophie.goto(project_url + "/documents")
    queue = sophie.locator("#a-valider")
    expect(queue).to_contain_text("Diagnostic des besoins")
    queue.get_by_role("button", name="Publier").click()
    expect(sophie.locator("[data-results]")).to_contain_text("Diagnostic des besoins")
    sophie.goto("/")
    expect(sophie.locator("#fil")).to_contain_text("Diagnostic des besoins")
    expect(sophie.locator("#fil")).to_contain_text("Épicerie solidaire du bourg")
    document_url = sophie.locator("#fil").get_by_role(
        "link", name="Diagnostic des besoins").get_attribute("href")

    olivier_context = new_context()
    olivier = olivier_context.new_page()
    log_in(olivier, "olivier@exemple.fr", PASSWORD)
    olivier.goto("/projets/")
    expect(olivier.locator("main")).not_to_contain_text("Épicerie solidaire")
    olivier.goto("/agenda/")
    expect(olivier.locator("main")).not_to_contain_text("Comité de pilotage")
    browser_errors.expect("404", url="/projets/")
    response = olivier.goto(project_url)
    assert response.status == 404
    browser_errors.expect("404", url="/bibliotheque/")
    assert olivier.goto(document_url).status == 404
