"""Warnings and suspensions (with an end date) of members, and timed suspensions in accounts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import AuditEvent, User
from app.db import transaction, utcnow
from app.errors import Invalid, PermissionDenied
from app.extensions import db
from app.moderation import services
from tests.factories import PASSWORD
from tests.helpers import capture_events
from tests.moderation.conftest import as_user, log_rows, moderation_notifications

XSS = '<script>alert("x")</script>'


def _user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def _future(days: int = 7) -> date:
    return (utcnow() + timedelta(days=days)).date()


def _can_log_in(client, user) -> bool:
    client.post("/deconnexion")
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    return response.status_code == 302


# Warnings ------------------------------------------------------------------------------------

def test_warn_logs_and_notifies_the_member(net, client):
    as_user(client, net.moderator)
    with capture_events() as events:
        response = client.post(f"/moderation/membres/{net.author.id}/avertir",
                               data={"reason": "Merci de rester courtois"})
    assert response.status_code == 302
    assert [(e["event"], e["room"]) for e in events] == [
        ("notification", f"user:{net.author.id}")]
    [entry] = log_rows(action="member.warn")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.target_user_id,
            entry.reason) == (net.moderator.id, "user", net.author.id, net.author.id,
                              "Merci de rester courtois")
    [told] = moderation_notifications(net.author)
    assert "Merci de rester courtois" in told.text
    page = client.get(f"/moderation/membres/{net.author.id}").get_data(as_text=True)
    assert "Avertissement" in page and "Merci de rester courtois" in page


def test_warning_needs_a_reason(net, client):
    as_user(client, net.moderator)
    response = client.post(f"/moderation/membres/{net.author.id}/avertir", data={"reason": ""})
    assert response.status_code == 400
    assert "Le motif est obligatoire." in response.get_data(as_text=True)
    assert log_rows(action="member.warn") == []


def test_who_may_warn_whom(net):
    for actor, target in ((net.reporter, net.author), (net.moderator, net.admin),
                          (net.moderator, net.moderator), (net.admin, net.admin)):
        with pytest.raises(PermissionDenied), transaction():
            services.check_warn(actor, target, "Non")
    with transaction():
        services.check_warn(net.admin, net.moderator, "Rappel de la charte d'animation")
    assert len(log_rows(action="member.warn")) == 1


# Suspensions ----------------------------------------------------------------------------------

def test_suspend_with_an_end_date_logs_out_at_once_and_lifts_itself(net, client, app):
    member_client = app.test_client()
    assert _can_log_in(member_client, net.author)
    assert member_client.get("/").status_code == 200

    as_user(client, net.moderator)
    until = _future(7)
    with capture_events() as events:
        response = client.post(f"/moderation/membres/{net.author.id}/suspendre",
                               data={"until": until.isoformat(), "reason": "Insultes répétées"})
    assert response.status_code == 302
    assert [(e["event"], e["room"]) for e in events] == [
        ("notification", f"user:{net.author.id}"), ("session:ended", f"user:{net.author.id}")]

    author = _user(net.author.id)
    assert author.status == "suspended"
    assert author.suspended_until == accounts.suspension_end(until)
    [entry] = log_rows(action="member.suspend")
    assert entry.reason == "Insultes répétées" and entry.data == {"until": until.isoformat()}
    assert entry.actor_id == net.moderator.id and entry.target_user_id == net.author.id
    [told] = moderation_notifications(net.author)
    assert until.strftime("%d/%m/%Y") in told.text and "Insultes répétées" in told.text

    # The open session ended at once; logging in again fails until the end date.
    response = member_client.get("/")
    assert response.status_code == 302 and "/connexion" in response.location
    assert not _can_log_in(member_client, net.author)

    # Time passes: the end date is reached.
    with transaction():
        _user(net.author.id).suspended_until = utcnow() - timedelta(minutes=1)
    assert _can_log_in(member_client, net.author)
    assert member_client.get("/").status_code == 200
    author = _user(net.author.id)
    assert author.status == "active" and author.suspended_until is None
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "user.suspension_expired", AuditEvent.target_id == author.id))
    page = client.get(f"/moderation/membres/{net.author.id}").get_data(as_text=True)
    assert "Suspension" in page and "Insultes répétées" in page
    assert f"jusqu&#39;au {until:%d/%m/%Y}" in page or f"jusqu'au {until:%d/%m/%Y}" in page
    log = client.get("/moderation/journal?action=member.suspend").get_data(as_text=True)
    assert f"{until:%d/%m/%Y}" in log


def test_suspension_without_end_date_lasts(net, client):
    as_user(client, net.moderator)
    assert client.post(f"/moderation/membres/{net.author.id}/suspendre",
                       data={"reason": "Usurpation d'identité"}).status_code == 302
    author = _user(net.author.id)
    assert author.status == "suspended" and author.suspended_until is None
    assert not _can_log_in(client, net.author)
    assert log_rows(action="member.suspend")[0].data == {"until": None}


@pytest.mark.parametrize("until", ["2001-01-01", "not-a-date", "today"])
def test_end_date_must_be_a_future_date(net, client, until):
    if until == "today":
        until = utcnow().astimezone(accounts.PARIS).date().isoformat()
    as_user(client, net.moderator)
    response = client.post(f"/moderation/membres/{net.author.id}/suspendre",
                           data={"until": until, "reason": "Spam"})
    assert response.status_code == 400
    assert _user(net.author.id).status == "active"
    assert log_rows(action="member.suspend") == []


def test_suspension_needs_a_reason(net, client):
    as_user(client, net.moderator)
    response = client.post(f"/moderation/membres/{net.author.id}/suspendre",
                           data={"until": _future().isoformat()})
    assert response.status_code == 400 and _user(net.author.id).status == "active"


def test_moderators_suspend_members_only_admins_suspend_moderators(net, client):
    as_user(client, net.moderator)
    for target in (net.admin, net.moderator):
        response = client.post(f"/moderation/membres/{target.id}/suspendre",
                               data={"reason": "Essai"})
        assert response.status_code == 403
        assert _user(target.id).status == "active"
    other_moderator = _other_moderator()
    assert client.post(f"/moderation/membres/{other_moderator.id}/suspendre",
                       data={"reason": "Essai"}).status_code == 403
    as_user(client, net.admin)
    assert client.post(f"/moderation/membres/{other_moderator.id}/suspendre",
                       data={"reason": "Absent depuis un an"}).status_code == 302
    assert _user(other_moderator.id).status == "suspended"
    assert client.post(f"/moderation/membres/{net.admin.id}/suspendre",
                       data={"reason": "Moi"}).status_code == 403
    assert _user(net.admin.id).status == "active"
    as_user(client, net.reporter)
    assert client.post(f"/moderation/membres/{net.author.id}/suspendre",
                       data={"reason": "Vengeance"}).status_code == 403


def _other_moderator() -> User:
    from tests.factories import make_user

    return make_user(name="Nadia Roux", role="moderator")


def test_changing_the_end_date_and_lifting(net, client):
    as_user(client, net.moderator)
    url = f"/moderation/membres/{net.author.id}"
    client.post(f"{url}/suspendre", data={"until": _future(3).isoformat(), "reason": "Spam"})
    client.post(f"{url}/suspendre", data={"until": _future(10).isoformat(), "reason": "Récidive"})
    assert _user(net.author.id).suspended_until == accounts.suspension_end(_future(10))
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "user.suspension_changed"))
    with pytest.raises(Invalid), transaction():
        services.check_suspend(net.moderator, _user(net.author.id), _future(10), "Encore")
    assert client.post(f"{url}/retablir", data={"reason": "Excuses reçues"}).status_code == 302
    author = _user(net.author.id)
    assert author.status == "active" and author.suspended_until is None
    assert [r.action for r in log_rows()][-3:] == [
        "member.suspend", "member.suspend", "member.unsuspend"]
    assert client.post(f"{url}/retablir", data={}).status_code == 400
    assert _can_log_in(client, net.author)


def test_member_page_shows_forms_and_history(net, client):
    as_user(client, net.moderator)
    page = client.get(f"/moderation/membres/{net.author.id}").get_data(as_text=True)
    assert 'type="date"' in page and 'name="until"' in page
    assert "Envoyer l'avertissement" in page
    page = client.get(f"/moderation/membres/{net.admin.id}").get_data(as_text=True)
    assert "Seul un administrateur" in page and 'name="until"' not in page
    assert client.get("/moderation/membres/999999").status_code == 404


def test_xss_in_reasons_is_inert_on_the_member_page(net, client):
    as_user(client, net.moderator)
    client.post(f"/moderation/membres/{net.author.id}/avertir", data={"reason": XSS})
    page = client.get(f"/moderation/membres/{net.author.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


# Timed suspensions in accounts (admin page, CLI) -------------------------------------------

def test_admin_status_change_accepts_an_end_date(net, client):
    as_user(client, net.admin)
    until = _future(5)
    response = client.post(f"/admin/membres/{net.author.id}/statut",
                           data={"status": "suspended", "reason": "Spam", "until": until})
    assert response.status_code == 302
    assert _user(net.author.id).suspended_until == accounts.suspension_end(until)
    assert until.strftime("%d/%m/%Y") in client.get("/admin/membres").get_data(as_text=True)
    response = client.post(f"/admin/membres/{net.author.id}/statut",
                           data={"status": "active"})
    assert _user(net.author.id).suspended_until is None


def test_cli_suspend_until_and_lift_expired(net, app):
    runner = app.test_cli_runner()
    until = _future(4)
    result = runner.invoke(args=["users", "suspend", net.author.email, "--until",
                                 until.isoformat(), "--reason", "Spam"])
    assert result.exit_code == 0, result.output
    assert until.strftime("%d/%m/%Y") in result.output
    assert _user(net.author.id).suspended_until == accounts.suspension_end(until)
    result = runner.invoke(args=["users", "suspend", net.other.email, "--until", "2001-01-01"])
    assert result.exit_code != 0 and _user(net.other.id).status == "active"
    result = runner.invoke(args=["users", "lift-expired-suspensions"])
    assert "levées : 0" in result.output
    with transaction():
        _user(net.author.id).suspended_until = utcnow() - timedelta(seconds=1)
    result = runner.invoke(args=["users", "lift-expired-suspensions"])
    assert "levées : 1" in result.output and _user(net.author.id).status == "active"


def test_suspension_end_is_midnight_in_paris(app):
    # Winter (UTC+1) and summer (UTC+2).
    assert accounts.suspension_end(date(2030, 1, 15)).isoformat() == "2030-01-14T23:00:00+00:00"
    assert accounts.suspension_end(date(2030, 7, 15)).isoformat() == "2030-07-14T22:00:00+00:00"


def test_an_expired_suspension_allows_a_password_reset(net, outbox):
    with transaction():
        accounts.do_change_status(None, _user(net.author.id), "suspended", "Spam",
                                  until=utcnow() - timedelta(hours=1))
    with transaction():
        accounts.check_request_password_reset(net.author.email)
    assert len(outbox) == 1 and _user(net.author.id).status == "active"
