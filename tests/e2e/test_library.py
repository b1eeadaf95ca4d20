"""A member uploads a PDF (with a real progress bar), a moderator approves it, another
member finds it by a word that only appears inside the PDF and downloads it.

The live server extracts text in its background executor, as in production: the test waits
for the search to find the word rather than assuming the extraction is instant.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.library.models import Document
from tests.e2e.test_onboarding import log_in
from tests.factories import PASSWORD, make_user
from tests.library import files
from tests.library.support import publish, submit

pytestmark = pytest.mark.e2e


def test_upload_approve_find_by_pdf_text_and_download(live_server, new_context, tmp_path):
    with live_server.app.app_context():
        sophie = make_user(name="Sophie Martin", email="sophie@exemple.fr")
        mehdi = make_user(name="Mehdi Benali", email="mehdi@exemple.fr", role="moderator")
        helene = make_user(name="Helene Garnier", email="helene@exemple.fr")
        sophie, mehdi, helene = sophie.email, mehdi.email, helene.email
    pdf_path = tmp_path / "diagnostic.pdf"
    pdf_path.write_bytes(files.pdf("Les recycleries solidaires du plateau ardechois"))
    empty_path = tmp_path / "vide.pdf"
    empty_path.write_bytes(b"")

    # Sophie proposes the PDF, with an empty file alongside: that one is refused alone.
    page = new_context().new_page()
    log_in(page, sophie, PASSWORD)
    page.goto("/bibliotheque/proposer")
    page.get_by_label("Fichiers").set_input_files([str(pdf_path), str(empty_path)])
    rows = page.locator(".lib-upload")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("est vide")
    page.get_by_label("Titre").fill("Diagnostic du plateau")
    page.get_by_label("Type de document").select_option("etude")
    page.get_by_role("button", name="Envoyer pour validation").click()
    first = rows.nth(0)
    expect(first).to_contain_text("Envoyé")
    expect(first.locator("progress")).to_have_js_property("value", 100)
    expect(rows.nth(1)).to_have_class("lib-upload is-error")
    expect(rows.nth(1)).to_contain_text("est vide")
    page.goto("/bibliotheque/mes-propositions")
    expect(page.locator("table")).to_contain_text("En attente")

    # Mehdi approves it from the queue.
    moderator = new_context().new_page()
    log_in(moderator, mehdi, PASSWORD)
    moderator.goto("/bibliotheque/a-valider")
    item = moderator.locator(".lib-queue-item", has_text="Diagnostic du plateau")
    item.get_by_role("button", name="Publier").click()
    expect(moderator.locator(".flash")).to_contain_text("Le document est publié")

    # Hélène finds it by a word that is only inside the PDF, and downloads it.
    reader = new_context(accept_downloads=True).new_page()
    log_in(reader, helene, PASSWORD)
    deadline = time.monotonic() + 10
    while True:
        reader.goto("/bibliotheque/?q=recycleries")
        if reader.locator(".lib-card").count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    card = reader.locator(".lib-card", has_text="Diagnostic du plateau")
    expect(card).to_be_visible()
    card.get_by_role("link", name="Diagnostic du plateau").click()
    with reader.expect_download() as download_info:
        reader.get_by_role("link", name="Télécharger").click()
    download = download_info.value
    assert download.suggested_filename == "diagnostic.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_upload_and_search_fit_a_phone(live_server, new_context, tmp_path):
    """At 390 px: nothing wider than the screen, every control labelled, progress named
    after its file."""
    with live_server.app.app_context():
        sophie = make_user(name="Sophie Martin", email="sophie@exemple.fr")
        mehdi = make_user(name="Mehdi Benali", email="mehdi@exemple.fr", role="moderator")
        long_title = ("Retour d'expérience : coopération intercommunale pour la mobilité "
                      "solidaire des habitants des centres-bourgs ruraux")
        publish(mehdi, submit(sophie, "mobilite-solidaire-des-centres-bourgs-ruraux.md",
                              b"Transport a la demande", title=long_title,
                              keywords="mobilité, ruralité, covoiturage, transport à la demande",
                              tags={"domain": ["mobilite", "emploi"], "region": ["ARA"],
                                    "sdg": ["11"], "territorial_level": ["local"]}))
        document_id = db.session.scalar(select(Document.id))
        email = sophie.email
    long_name = tmp_path / ("compte-rendu-de-la-rencontre-annuelle-des-catalyseurs-"
                            "territoriaux-version-finale.md")
    long_name.write_bytes(b"# Rencontre annuelle\n\nAteliers et retours.")

    page = new_context(**PHONE).new_page()
    log_in(page, email, PASSWORD)
    page.goto("/bibliotheque/proposer")
    no_sideways_scroll(page)
    page.get_by_label("Fichiers").set_input_files(str(long_name))
    row = page.locator(".lib-upload")
    expect(row).to_have_count(1)
    expect(page.get_by_role("progressbar", name=long_name.name)).to_be_visible()
    expect(page.get_by_role("button", name=f"Retirer « {long_name.name} »")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_label("Type de document").select_option("compte-rendu")
    page.get_by_role("button", name="Envoyer pour validation").click()
    expect(row).to_contain_text("Envoyé")
    no_sideways_scroll(page)

    page.goto("/bibliotheque/")
    search = page.get_by_role("searchbox", name="Rechercher")
    expect(search).to_be_visible()
    search.fill("mobilités rurales")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.locator(".lib-card")).to_have_count(1)
    expect(page.get_by_role("heading", name="Affiner")).to_be_visible()
    no_sideways_scroll(page)
    for url in ("/bibliotheque/mes-propositions", f"/bibliotheque/documents/{document_id}"):
        page.goto(url)
        no_sideways_scroll(page)
