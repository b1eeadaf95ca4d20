from datetime import timedelta

import pytest

from app.accounts import services
from app.accounts.models import Invitation
from app.db import transaction, utcnow
from app.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def _link(message, marker):
    return next(word for word in message.body.split() if marker in word)


def _path(link):
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_login_logout_and_next(client, member):
    response = client.get("/annuaire")
    assert response.status_code == 302 and "/connexion" in response.location
    response = client.post("/connexion", data={"email": member.email.upper(),
                                               "password": PASSWORD, "next": "/annuaire"})
    assert response.status_code == 302 and response.location.endswith("/annuaire")
    assert client.get("/").status_code == 200
    assert client.post("/deconnexion").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, member, target):
    response = client.post("/connexion", data={"email": member.email, "password": PASSWORD,
                                               "next": target})
    assert response.status_code == 302
    assert response.location in ("/", "http://localhost/")


def test_wrong_password_and_unknown_email_get_the_same_message(client, member):
    wrong = client.post("/connexion", data={"email": member.email, "password": "faux-faux-faux"})
    unknown = client.post("/connexion", data={"email": "x@exemple.fr", "password": "faux-faux"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert client.get("/").status_code == 302


def test_suspended_member_cannot_login(client):
    user = make_user(status="suspended")
    response = login(client, user)
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert client.get("/").status_code == 302


def test_suspension_ends_open_sessions_at_once(app, client, member, admin):
    login(client, member, remember=True)
    assert client.get("/").status_code == 200
    with transaction():
        services.check_change_status(admin, member, "suspended")
    response = client.get("/")
    assert response.status_code == 302 and "/connexion" in response.location
    # The remember-me cookie does not bring the session back either.
    client.delete_cookie("session")
    assert client.get("/").status_code == 302


def test_remember_me_sets_a_persistent_cookie(client, member):
    response = login(client, member, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]
    client.delete_cookie("session")
    assert client.get("/").status_code == 200


def test_session_cookie_flags(client, member):
    response = login(client, member)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_is_rate_limited_per_account(app, client, member):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for i in range(3):
        response = client.post("/connexion", data={"email": member.email, "password": "x" * 10},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
        assert response.status_code == 200
    blocked = client.post("/connexion", data={"email": member.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text


def test_login_is_rate_limited_per_ip(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for i in range(3):
        client.post("/connexion", data={"email": f"x{i}@exemple.fr", "password": "x" * 10})
    assert client.post("/connexion", data={"email": "y@exemple.fr",
                                           "password": "x" * 10}).status_code == 429


def test_invitation_flow_through_pages(client, admin, outbox):
    login(client, admin)
    response = client.post("/admin/invitations", data={"email": "lea@exemple.fr",
                                                       "role": "member"})
    assert response.status_code == 302
    assert "lea@exemple.fr" in client.get("/admin/invitations").text
    client.post("/deconnexion")
    path = _path(_link(outbox[-1], "/invitation/"))
    page = client.get(path)
    assert page.status_code == 200 and "lea@exemple.fr" in page.text
    mismatch = client.post(path, data={"display_name": "Léa", "password": "une-phrase-longue",
                                       "confirm": "autre-phrase-longue"})
    assert mismatch.status_code == 200 and "Les deux mots de passe diffèrent." in mismatch.text
    done = client.post(path, data={"display_name": "Léa Fontaine",
                                   "password": "une-phrase-longue",
                                   "confirm": "une-phrase-longue"})
    assert done.status_code == 302 and done.location.endswith("/profil")
    assert client.get("/profil").status_code == 200
    client.post("/deconnexion")
    reused = client.get(path)
    assert reused.status_code == 404 and "plus valable" in reused.text


def test_expired_and_unknown_invitation_links_are_404(app, client, admin, outbox):
    with transaction():
        services.check_invite(admin, "a@exemple.fr")
    path = _path(_link(outbox[-1], "/invitation/"))
    with transaction():
        for invitation in db.session.scalars(db.select(Invitation)):
            invitation.expires_at = utcnow() - timedelta(hours=1)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"display_name": "A", "password": "une-phrase-longue",
                                   "confirm": "une-phrase-longue"}).status_code == 404
    assert client.get("/invitation/nimporte-quoi").status_code == 404


def test_resend_and_revoke_from_admin_page(client, admin, outbox):
    login(client, admin)
    client.post("/admin/invitations", data={"email": "a@exemple.fr", "role": "member"})
    invitation = db.session.scalar(db.select(Invitation))
    first_link = _path(_link(outbox[-1], "/invitation/"))
    assert client.post(f"/admin/invitations/{invitation.id}/renvoyer").status_code == 302
    assert len(outbox) == 2
    assert client.get(first_link).status_code == 404
    second_link = _path(_link(outbox[-1], "/invitation/"))
    assert client.post(f"/admin/invitations/{invitation.id}/revoquer").status_code == 302
    assert client.get(second_link).status_code == 404
    assert client.post(f"/admin/invitations/{invitation.id}/revoquer").status_code == 400
    assert client.post("/admin/invitations/999999/renvoyer").status_code == 404


def test_admin_invite_form_errors_are_shown(client, admin, member):
    login(client, admin)
    taken = client.post("/admin/invitations", data={"email": member.email, "role": "member"})
    assert taken.status_code == 400 and "déjà" in taken.text
    bad_role = client.post("/admin/invitations", data={"email": "z@exemple.fr", "role": "root"})
    assert bad_role.status_code == 400


def test_non_admins_get_403_on_admin_pages(client, member, moderator):
    for user in (member, moderator):
        login(client, user)
        for method, url in (("get", "/admin/membres"), ("get", "/admin/invitations"),
                            ("post", "/admin/invitations"),
                            ("post", f"/admin/membres/{user.id}/role")):
            assert getattr(client, method)(url).status_code == 403, url
        client.post("/deconnexion")


def test_admin_changes_role_and_status(client, admin, member):
    login(client, admin)
    page = client.get("/admin/membres")
    assert member.email in page.text
    assert client.get("/admin/membres?q=SOPHIE").text.count("sophie@exemple.fr") == 1
    assert client.post(f"/admin/membres/{member.id}/role",
                       data={"role": "moderator"}).status_code == 302
    assert client.post(f"/admin/membres/{member.id}/statut",
                       data={"status": "suspended", "reason": "Test"}).status_code == 302
    db.session.refresh(member)
    assert (member.role, member.status) == ("moderator", "suspended")
    assert client.post(f"/admin/membres/{member.id}/role",
                       data={"role": "root"}).status_code == 400
    assert client.post(f"/admin/membres/{admin.id}/statut",
                       data={"status": "suspended"}).status_code == 403
    assert client.post("/admin/membres/999999/role", data={"role": "member"}).status_code == 404


def test_password_reset_through_pages(client, member, outbox):
    page = client.post("/mot-de-passe/oubli", data={"email": member.email})
    assert page.status_code == 302
    unknown = client.post("/mot-de-passe/oubli", data={"email": "x@exemple.fr"},
                          follow_redirects=True)
    assert "Si un compte actif correspond" in unknown.text
    assert len(outbox) == 1
    path = _path(_link(outbox[0], "/mot-de-passe/nouveau/"))
    short = client.post(path, data={"password": "court", "confirm": "court"})
    assert short.status_code == 200 and "au moins 10 caractères" in short.text
    done = client.post(path, data={"password": "nouveau-mot-de-passe",
                                   "confirm": "nouveau-mot-de-passe"})
    assert done.status_code == 302
    assert client.get(path).status_code == 404
    assert login(client, member, "nouveau-mot-de-passe").status_code == 302


def test_change_password_logs_out_other_sessions(app, member):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, member)
    login(elsewhere, member)
    bad = here.post("/compte/mot-de-passe", data={
        "pw-current_password": "faux", "pw-password": "nouveau-mot-de-passe",
        "pw-confirm": "nouveau-mot-de-passe"})
    assert bad.status_code == 400 and "Mot de passe actuel incorrect." in bad.text
    ok = here.post("/compte/mot-de-passe", data={
        "pw-current_password": PASSWORD, "pw-password": "nouveau-mot-de-passe",
        "pw-confirm": "nouveau-mot-de-passe"})
    assert ok.status_code == 302
    assert here.get("/compte").status_code == 200
    assert elsewhere.get("/compte").status_code == 302


def test_change_email_through_pages(client, member, outbox):
    login(client, member)
    response = client.post("/compte/email", data={"em-email": "neuf@exemple.fr",
                                                  "em-password": PASSWORD})
    assert response.status_code == 302
    path = _path(_link(outbox[-1], "/compte/email/"))
    assert client.get(path).status_code == 302
    assert "neuf@exemple.fr" in client.get("/compte").text
    assert client.get(path).status_code == 404


def test_language_switch_persists_for_the_member(client, member):
    login(client, member)
    client.post("/langue", data={"lg-locale": "en", "next": "/compte"})
    db.session.refresh(member)
    assert member.locale == "en"
    client.post("/langue", data={"lg-locale": "xx"})
    db.session.refresh(member)
    assert member.locale == "fr"
