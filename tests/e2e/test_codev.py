"""A co-development session in three browsers: the facilitator drives the six phases, the
client and a consultant contribute when their phase allows it (the client rewords an item
of their plan in place), everyone sees the same phase, status and countdown, a reload
recovers the state, and the record comes out at the end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.codev import services
from app.db import transaction, utcnow
from tests.e2e.test_onboarding import expect_live, log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def next_phase(page: Page, index: int) -> None:
    page.get_by_role("button", name="Phase suivante").click()
    expect(page.locator("#codev")).to_have_attribute("data-phase", PHASES[index - 1])


def publish(page: Page, text: str) -> None:
    page.locator("#codev-body").fill(text)
    page.get_by_role("button", name="Publier").click()
    expect(page.locator("#codev-body")).to_have_value("")


PHASES = ["expose", "clarification", "contrat", "consultation", "plan-action", "bilan"]


def test_three_people_go_through_the_six_phases(live_server, new_context):
    with live_server.app.app_context():
        facilitator = make_user(name="Aïcha Diallo", email="aicha@exemple.fr")
        client = make_user(name="Émilie Faure", email="emilie@exemple.fr")
        karim = make_user(name="Karim Haddad", email="karim@exemple.fr")
        others = [make_user(name=n) for n in ("Hélène Garnier", "Thomas Lefèvre")]
        with transaction():
            session = services.check_schedule(facilitator, services.SessionData(
                subject="Faire venir les entreprises au tiers-lieu",
                scheduled_at=utcnow() + timedelta(hours=1),
                visio_url="https://visio.exemple.fr/codev", client_id=client.id,
                consultant_ids=[karim.id, *(o.id for o in others)],
                durations={code: 1 for code in PHASES}))
        session_id = session.id

    pages = {}
    for who in ("aicha", "emilie", "karim"):
        page = new_context().new_page()
        log_in(page, f"{who}@exemple.fr", PASSWORD)
        page.goto(f"/codeveloppement/{session_id}")
        expect_live(page)
        expect(page.locator("#codev")).to_have_attribute("data-live", "on")
        pages[who] = page
    animator, owner, consultant = pages["aicha"], pages["emilie"], pages["karim"]
    for page in pages.values():
        expect(page.locator("#codev-participants li.is-present")).to_have_count(3)

    # Phase 1: everyone sees the same phase and a countdown from the server's clock.
    for page in pages.values():
        expect(page.locator("#codev-status")).to_have_text("Programmée")
    animator.get_by_role("button", name="Démarrer la session").click()
    for page in pages.values():
        expect(page.locator("#codev-phase-label")).to_have_text("1. Exposé de la problématique")
        expect(page.locator("#codev-status")).to_have_text("En cours")
        expect(page.locator("#codev-timer")).to_have_text(re.compile(r"^00:[0-5]\d$"))
    expect(consultant.locator("#codev-compose-panel")).to_be_hidden()
    consultant.get_by_role("button", name="Lever la main").click()
    expect(animator.locator("#codev-participants .codev-hand")).to_have_count(1)

    # Phase 2: the consultant asks, the client cannot.
    next_phase(animator, 2)
    expect(owner.locator("#codev-compose-panel")).to_be_hidden()
    expect(animator.locator("#codev-participants .codev-hand")).to_have_count(0)
    publish(consultant, "Combien d'entreprises sont déjà venues ?")
    expect(owner.locator("#codev-question")).to_contain_text("Combien d'entreprises")

    # A reload mid-phase shows the same state and about the same remaining time.
    before = consultant.locator("#codev-timer").inner_text()
    consultant.reload()
    expect(consultant.locator("#codev")).to_have_attribute("data-live", "on")
    expect(consultant.locator("#codev-question")).to_contain_text("Combien d'entreprises")
    after = consultant.locator("#codev-timer").inner_text()
    to_seconds = lambda t: int(t[:2]) * 60 + int(t[3:])  # noqa: E731
    assert 0 <= to_seconds(before) - to_seconds(after) <= 3, (before, after)

    # Phase 3: the client reformulates.
    next_phase(animator, 3)
    publish(owner, "Comment associer durablement les entreprises locales ?")
    expect(consultant.locator("#codev-request")).to_contain_text("associer durablement")

    # Phase 4: suggestion cards by consultants; the client reads only.
    next_phase(animator, 4)
    expect(owner.locator("#codev-compose-panel")).to_be_hidden()
    expect(owner.locator("#codev-listen")).to_be_visible()
    publish(consultant, "Un petit-déjeuner mensuel des dirigeants")
    publish(consultant, "Un atelier FabLab pour les apprentis")
    expect(owner.locator("#codev-suggestion > li")).to_have_count(2)

    # Phase 5: the client retains a card and writes an action.
    next_phase(animator, 5)
    owner.locator("#codev-suggestion > li", has_text="petit-déjeuner").get_by_role(
        "button", name="Retenir dans mon plan d'action").click()
    expect(consultant.locator("#codev-action")).to_contain_text("petit-déjeuner")
    publish(owner, "Appeler la CCI avant la fin du mois")
    expect(animator.locator("#codev-action > li")).to_have_count(2)

    # The client rewords an item in place; everyone sees the new wording.
    item = owner.locator("#codev-action > li", has_text="Appeler la CCI")
    expect(consultant.locator("#codev-action .codev-edit")).to_have_count(0)
    item.locator(".codev-edit").click()
    editor = owner.locator("#codev-action .codev-editor textarea")
    expect(editor).to_have_value("Appeler la CCI avant la fin du mois")
    editor.fill("Appeler la CCI avant le 15")
    owner.locator("#codev-action .codev-editor button[type=submit]").click()
    expect(owner.locator("#codev-action .codev-editor")).to_have_count(0)
    expect(consultant.locator("#codev-action")).to_contain_text("Appeler la CCI avant le 15")
    expect(animator.locator("#codev-action")).not_to_contain_text("fin du mois")

    # Phase 6: everyone's lessons.
    next_phase(animator, 6)
    publish(consultant, "Écouter avant de proposer")
    publish(owner, "Je ne suis pas seule avec ce problème")
    publish(animator, "Le rythme court a aidé")
    expect(consultant.locator("#codev-lesson > li")).to_have_count(3)

    # The end: the record, for the participants.
    animator.get_by_role("button", name="Phase suivante").click()
    for page in pages.values():
        expect(page.locator("#codev")).to_have_attribute("data-status", "ended")
        expect(page.locator("#codev-status")).to_have_text("Terminée")
    owner.get_by_role("link", name="Lire le compte rendu").click()
    record = owner.locator("#codev-record")
    expect(record).to_contain_text("Comment associer durablement les entreprises locales ?")
    expect(record).to_contain_text("Un petit-déjeuner mensuel des dirigeants")
    expect(record).to_contain_text("Appeler la CCI avant le 15")
    expect(record).to_contain_text("Le rythme court a aidé")
    expect(record.locator("h2", has_text="Suggestions retenues")).to_be_visible()
    assert "atelier FabLab" not in record.locator(
        "xpath=.//h2[contains(., 'Suggestions retenues')]/following-sibling::ul[1]").inner_text()
