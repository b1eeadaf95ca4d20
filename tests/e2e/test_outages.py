"""What a member sees when a part of the platform is down, in a real browser: a French
"indisponible" page when the database fails (and the site back once it answers), and the
chat's notice when live delivery between processes is degraded (Redis unreachable)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy.exc import OperationalError

from app.chat import services as chat
from app.db import transaction
from tests.e2e.test_onboarding import log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def test_a_database_outage_shows_the_unavailable_page_then_the_site_comes_back(
        live_server, page, browser_errors, monkeypatch):
    with live_server.app.app_context():
        make_user(name="Sophie Martin", email="sophie@exemple.fr")
    log_in(page, "sophie@exemple.fr", PASSWORD)

    def refused(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    browser_errors.expect("503", url="/annuaire")
    with monkeypatch.context() as outage:
        outage.setattr("sqlalchemy.orm.Session.execute", refused)
        response = page.goto("/annuaire")
        assert response.status == 503 and response.headers["retry-after"] == "30"
        expect(page.get_by_role("heading", name="Un instant…")).to_be_visible()
        expect(page.get_by_text("La plateforme est momentanément indisponible")).to_be_visible()
    page.get_by_role("link", name="Réessayer").click()
    expect(page.get_by_role("heading", name="Annuaire des catalyseurs")).to_be_visible()


def test_the_chat_says_live_delivery_is_degraded_when_redis_is_unreachable(live_server, page):
    with live_server.app.app_context():
        sophie = make_user(name="Sophie Martin", email="sophie@exemple.fr")
        with transaction():
            channel = chat.check_create_channel(sophie, "Mobilité rurale", "", "public")
        channel_id = channel.id
    log_in(page, "sophie@exemple.fr", PASSWORD)
    page.goto(f"/chat/{channel_id}")
    notice = page.get_by_text("La messagerie instantanée fonctionne en mode dégradé")
    expect(page.get_by_role("heading", name="Mobilité rurale")).to_be_visible()
    assert not notice.is_visible()

    # A Redis nobody listens on: the page is still served, and says what is true.
    live_server.app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    live_server.app.extensions.pop("web.redis_ping", None)
    page.reload()
    expect(notice).to_be_visible()
