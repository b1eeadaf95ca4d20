"""The security baseline shared by every feature: login gate, headers, CSRF, config."""

from __future__ import annotations

import pytest
from flask import request, url_for
from sqlalchemy.exc import OperationalError

from app import create_app, normalize_database_url
from app.extensions import db
from app.web import PUBLIC_ENDPOINTS
from config import ProductionConfig
from tests.conftest import login
from tests.factories import PASSWORD


def _anonymous_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        values = {arg: 1 if "id" in arg else "x" for arg in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_nothing_is_visible_without_login(app, client):
    checked = 0
    for method, url in _anonymous_urls(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url, response.status_code)
        assert "/connexion" in response.location
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("url", ["/connexion", "/mot-de-passe/oubli", "/healthz",
                                 "/static/css/app.css", "/page-inconnue"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_of_logged_in_members_are_not_cached(as_member):
    assert "no-store" in as_member.get("/").headers["Cache-Control"]


def test_unknown_page_is_a_friendly_404(as_member):
    response = as_member.get("/nulle-part")
    assert response.status_code == 404 and "Page introuvable" in response.text
    json = as_member.get("/nulle-part", headers={"Accept": "application/json"})
    assert json.status_code == 404 and json.get_json()["ok"] is False


class TestCsrf:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_login_without_token_is_400(self, client, member):
        response = client.post("/connexion", data={"email": member.email,
                                                   "password": "x" * 12})
        assert response.status_code == 400
        assert "formulaire a expiré" in response.text

    def test_member_forms_without_token_are_400(self, app, client, member):
        login_page = client.get("/connexion").text
        token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        ok = client.post("/connexion", data={"email": member.email, "password": PASSWORD,
                                             "csrf_token": token})
        assert ok.status_code == 302
        for url in ("/profil", "/compte/mot-de-passe", "/compte/email", "/deconnexion",
                    "/langue"):
            assert client.post(url, data={}).status_code == 400, url
        assert client.get("/").status_code == 200


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "dev-secret-not-for-production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "short")
    with pytest.raises(RuntimeError):
        create_app("production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 48)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_healthz_reports_a_database_outage(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


def test_database_urls_from_hosting_providers_use_psycopg():
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x") == "sqlite:///x"


def test_moderation_section_is_for_moderators(client, member, moderator):
    login(client, member)
    assert client.get("/moderation").status_code == 403
    assert client.get("/moderation/journal").status_code == 403
    assert client.get("/rubrique/moderation").status_code == 404
    client.post("/deconnexion")
    login(client, moderator)
    assert client.get("/moderation").status_code == 200
    assert client.get("/moderation/journal").status_code == 200


@pytest.mark.parametrize("hops, seen", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_client_address_comes_from_the_proxy_only_when_trusted(tmp_path, hops, seen):
    app = create_app("testing", {"UPLOAD_DIR": str(tmp_path), "TRUSTED_PROXY_HOPS": hops})

    seen_addresses = []

    @app.after_request
    def remember(response):
        seen_addresses.append(request.remote_addr)
        return response

    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen_addresses == [seen]
