from datetime import timedelta

import pytest

from app.accounts import services
from app.accounts.models import AuditEvent, Invitation, User
from app.db import transaction, utcnow
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from config import Config
from tests.factories import PASSWORD, make_user


def _token_from(message) -> str:
    link = next(word for word in message.body.split() if "/invitation/" in word)
    return link.rsplit("/", 1)[1]


def test_invite_sends_one_mail_with_single_use_link(app, admin, outbox):
    with transaction():
        invitation = services.check_invite(admin, "Nouvelle@Exemple.fr")
    assert invitation.email == "nouvelle@exemple.fr"
    assert len(outbox) == 1
    assert outbox[0].to == ["nouvelle@exemple.fr"]
    token = _token_from(outbox[0])
    # Only the hash is stored.
    assert invitation.token_hash != token
    assert invitation.token_hash == services.hash_token(token)

    with transaction():
        user = services.check_accept_invitation(token, "Léa Fontaine", "une-phrase-longue")
    assert user.email == "nouvelle@exemple.fr"
    assert services.check_login("NOUVELLE@exemple.fr", "une-phrase-longue") == user
    with pytest.raises(NotFound):
        services.check_accept_invitation(token, "Léa Fontaine", "une-phrase-longue")


def test_invitation_mail_is_not_sent_when_transaction_fails(app, admin, outbox):
    with pytest.raises(RuntimeError), transaction():
        services.check_invite(admin, "x@exemple.fr")
        raise RuntimeError("boom")
    assert outbox == []
    assert db.session.query(Invitation).count() == 0


def test_expired_and_revoked_invitations_are_refused(app, admin, outbox):
    with transaction():
        invitation = services.check_invite(admin, "a@exemple.fr")
    token = _token_from(outbox[-1])
    with transaction():
        invitation.expires_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(NotFound):
        services.invitation_by_token(token)

    with transaction():
        services.check_invite(admin, "b@exemple.fr")
    token_b = _token_from(outbox[-1])
    invitation_b = services.invitation_by_token(token_b)
    with transaction():
        services.do_revoke_invitation(admin, invitation_b)
    with pytest.raises(NotFound):
        services.invitation_by_token(token_b)


def test_reinviting_renews_the_link_and_kills_the_old_one(app, admin, outbox):
    with transaction():
        first = services.check_invite(admin, "a@exemple.fr")
    old = _token_from(outbox[-1])
    with transaction():
        second = services.check_invite(admin, "A@exemple.fr", "moderator")
    new = _token_from(outbox[-1])
    assert first.id == second.id and second.sent_count == 2 and second.role == "moderator"
    with pytest.raises(NotFound):
        services.invitation_by_token(old)
    assert services.invitation_by_token(new).id == first.id


def test_invite_refuses_existing_member_bad_email_and_non_admin(app, admin, member):
    with pytest.raises(Invalid):
        services.check_invite(admin, member.email.upper())
    for bad in ("", "pas-une-adresse", "a" * 250 + "@exemple.fr"):
        with pytest.raises(Invalid):
            services.check_invite(admin, bad)
    with pytest.raises(PermissionDenied):
        services.check_invite(member, "x@exemple.fr")


def test_accept_validates_name_and_password(app, admin, outbox):
    with transaction():
        services.check_invite(admin, "a@exemple.fr")
    token = _token_from(outbox[-1])
    with pytest.raises(Invalid) as short:
        services.check_accept_invitation(token, "Léa", "court")
    assert short.value.field == "password"
    with pytest.raises(Invalid):
        services.check_accept_invitation(token, "   ", "une-phrase-longue")
    with pytest.raises(Invalid):
        services.check_accept_invitation(token, "L" * 200, "une-phrase-longue")
    with pytest.raises(Invalid):
        services.check_accept_invitation(token, "Léa", "a@exemple.fr")


def test_login_wrong_password_unknown_and_suspended(app, member):
    assert services.check_login(member.email, "mauvais-mot-de-passe") is None
    assert services.check_login("inconnu@exemple.fr", PASSWORD) is None
    assert services.check_login(member.email, PASSWORD) == member
    suspended = make_user(status="suspended")
    assert services.check_login(suspended.email, PASSWORD) is None


def test_password_hash_uses_a_modern_kdf(app, member):
    # Production hashes with scrypt; tests use a cheap method to stay fast.
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    with app.test_request_context():
        app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD
        with transaction():
            services.do_set_password(member, "une-phrase-longue")
    assert member.password_hash.startswith("scrypt:")
    assert services.check_login(member.email, "une-phrase-longue") == member


def test_emails_are_unique_case_insensitively(app, member):
    with pytest.raises(Invalid):
        services.check_create_user(member.email.upper(), "Autre", PASSWORD, "member")


def test_password_reset_token_is_single_use(app, member, outbox):
    with transaction():
        services.check_request_password_reset(member.email.upper())
    assert len(outbox) == 1
    token = outbox[0].body.split("/mot-de-passe/nouveau/")[1].split()[0]
    old_session = member.session_token
    with transaction():
        services.check_reset_password(token, "nouveau-mot-de-passe")
    assert member.session_token != old_session
    assert services.check_login(member.email, "nouveau-mot-de-passe") == member
    with pytest.raises(NotFound):
        services.check_reset_password(token, "encore-un-autre-mdp")


def test_password_reset_for_unknown_or_suspended_sends_nothing(app, outbox):
    suspended = make_user(status="suspended")
    with transaction():
        services.check_request_password_reset("inconnu@exemple.fr")
        services.check_request_password_reset(suspended.email)
    assert outbox == []


def test_expired_reset_token_is_refused(app, member, outbox):
    with transaction():
        services.check_request_password_reset(member.email)
    token = outbox[0].body.split("/mot-de-passe/nouveau/")[1].split()[0]
    with transaction():
        for row in db.session.scalars(db.select(services.AccountToken)):
            row.expires_at = utcnow() - timedelta(seconds=1)
    assert not services.reset_token_valid(token)


def test_change_password_needs_current_and_rotates_sessions(app, member):
    with pytest.raises(Invalid):
        services.check_change_password(member, "faux", "nouveau-mot-de-passe")
    old = member.session_token
    with transaction():
        services.check_change_password(member, PASSWORD, "nouveau-mot-de-passe")
    assert member.session_token != old


def test_change_email_is_confirmed_from_the_new_address(app, member, outbox):
    other = make_user(email="pris@exemple.fr")
    with pytest.raises(Invalid):
        services.check_request_email_change(member, "faux", "neuf@exemple.fr")
    with pytest.raises(Invalid):
        services.check_request_email_change(member, PASSWORD, other.email)
    with transaction():
        services.check_request_email_change(member, PASSWORD, "Neuf@Exemple.fr")
    assert outbox[0].to == ["neuf@exemple.fr"]
    assert member.email == "sophie@exemple.fr"
    token = outbox[0].body.split("/compte/email/")[1].split()[0]
    with transaction():
        services.check_confirm_email(token)
    assert member.email == "neuf@exemple.fr"
    with pytest.raises(NotFound):
        services.check_confirm_email(token)


def test_role_and_status_changes_are_audited_and_end_sessions(app, admin, member):
    with transaction():
        services.check_change_role(admin, member, "moderator")
    old = member.session_token
    with transaction():
        services.check_change_status(admin, member, "suspended", "Messages insultants")
    assert member.role == "moderator" and member.status == "suspended"
    assert member.session_token != old
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
    assert "user.role" in actions and "user.suspended" in actions


def test_admin_cannot_demote_or_suspend_themself(app, admin, member):
    with pytest.raises(PermissionDenied):
        services.check_change_role(admin, admin, "member")
    with pytest.raises(PermissionDenied):
        services.check_change_status(admin, admin, "suspended")
    with pytest.raises(PermissionDenied):
        services.check_change_role(member, admin, "member")
    with pytest.raises(Invalid):
        services.check_change_role(admin, member, "superuser")


def test_user_model_flags(app, admin, moderator, member):
    assert admin.is_admin and admin.is_moderator
    assert moderator.is_moderator and not moderator.is_admin
    assert not member.is_moderator
    assert isinstance(db.session.get(User, member.id), User)
