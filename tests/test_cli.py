"""Operator commands: `flask users ...`, `flask taxonomy load`, `flask seed demo`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select

from app.accounts.models import AuditEvent, Invitation, User
from app.accounts.services import user_by_email
from app.extensions import db
from app.members.services import access_member
from app.taxonomy import TaxonomyTerm
from tests.conftest import login
from tests.factories import PASSWORD

TWICE = f"{PASSWORD}\n{PASSWORD}\n"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _logs_in(app, email, password=PASSWORD) -> bool:
    """Whether a fresh browser can log in with these credentials."""
    client = app.test_client()
    response = login(client, email, password)
    return response.status_code == 302 and client.get("/annuaire").status_code == 200


def _user(email):
    db.session.expire_all()
    return user_by_email(email)


# users create --------------------------------------------------------------------------------

def test_create_admin_who_can_log_in(app, runner):
    result = runner.invoke(args=["users", "create", "admin@exemple.fr", "--name", "Alice Admin",
                                 "--role", "admin"], input=TWICE)
    assert result.exit_code == 0, result.output
    assert "Compte créé : admin@exemple.fr (admin)" in result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    user = _user("admin@exemple.fr")
    assert user.role == "admin" and user.status == "active"
    assert user.display_name == "Alice Admin"
    assert user.password_hash and PASSWORD not in user.password_hash
    assert _logs_in(app, "admin@exemple.fr")
    # The creation is traced, without an actor (an operator at the console).
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.actor_id is None and event.target_id == user.id


def test_create_member_by_default_with_normalised_email(app, runner):
    result = runner.invoke(args=["users", "create", "  Jeanne@Exemple.FR ", "--name",
                                 "Jeanne Roux"], input=TWICE)
    assert result.exit_code == 0, result.output
    user = _user("jeanne@exemple.fr")
    assert user.role == "member"
    assert user.email == "jeanne@exemple.fr"
    assert _logs_in(app, "JEANNE@exemple.fr")
    # The new member has an (empty) profile and shows in the directory.
    assert access_member(user, user.id).profile.organisation == ""


def test_create_with_mismatched_passwords_fails(app, runner):
    result = runner.invoke(args=["users", "create", "x@exemple.fr", "--name", "X Y"],
                           input=f"{PASSWORD}\nautre-mot-de-passe\n")
    assert result.exit_code != 0
    assert "do not match" in result.output or "correspondent pas" in result.output
    assert _user("x@exemple.fr") is None


def test_create_duplicate_email_is_case_insensitive(app, runner):
    first = runner.invoke(args=["users", "create", "X@Exemple.fr", "--name", "Xavier"],
                          input=TWICE)
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["users", "create", "x@exemple.fr", "--name", "Autre Xavier"],
                           input=TWICE)
    assert second.exit_code != 0
    assert "Un compte existe déjà avec cette adresse." in second.output
    assert "Traceback" not in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert _user("x@exemple.fr").display_name == "Xavier"


def test_create_with_too_short_password_fails(app, runner):
    result = runner.invoke(args=["users", "create", "court@exemple.fr", "--name", "Court"],
                           input="court\ncourt\n")
    assert result.exit_code != 0
    assert "au moins 10 caractères" in result.output
    assert _user("court@exemple.fr") is None


@pytest.mark.parametrize(("args", "message"), [
    (["users", "create", "pas-une-adresse", "--name", "Nom"], "Adresse e-mail invalide"),
    (["users", "create", "nom@exemple.fr", "--name", "   "], "Le nom est obligatoire"),
])
def test_create_rejects_bad_email_or_name(app, runner, args, message):
    result = runner.invoke(args=args, input=TWICE)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_rejects_unknown_role(app, runner):
    result = runner.invoke(args=["users", "create", "r@exemple.fr", "--name", "R",
                                 "--role", "superadmin"], input=TWICE)
    assert result.exit_code != 0
    assert _user("r@exemple.fr") is None


def test_create_requires_a_name(app, runner):
    result = runner.invoke(args=["users", "create", "n@exemple.fr"], input=TWICE)
    assert result.exit_code != 0
    assert "--name" in result.output


# users invite --------------------------------------------------------------------------------

def test_invite_sends_one_mail_with_link(app, runner, outbox):
    result = runner.invoke(args=["users", "invite", "Nouvelle@Exemple.fr"])
    assert result.exit_code == 0, result.output
    assert "Invitation envoyée à nouvelle@exemple.fr" in result.output
    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.to == ["nouvelle@exemple.fr"]
    links = re.findall(r"https?://\S+/invitation/[\w-]+", mail.body)
    assert len(links) == 1
    # The link opens the invitation page for an anonymous visitor.
    path = links[0].split("localhost", 1)[1]
    assert app.test_client().get(path).status_code == 200
    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "nouvelle@exemple.fr" and invitation.role == "member"


def test_invite_with_role(app, runner, outbox):
    result = runner.invoke(args=["users", "invite", "modo@exemple.fr", "--role", "moderator"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Invitation)).role == "moderator"
    assert len(outbox) == 1


def test_invite_existing_member_fails_without_mail(app, runner, outbox, member):
    result = runner.invoke(args=["users", "invite", member.email.upper()])
    assert result.exit_code != 0
    assert "Un membre utilise déjà cette adresse." in result.output
    assert outbox == []


def test_invite_invalid_email_fails(app, runner, outbox):
    result = runner.invoke(args=["users", "invite", "pas-une-adresse"])
    assert result.exit_code != 0
    assert "Adresse e-mail invalide" in result.output
    assert outbox == []


# users suspend / reactivate -----------------------------------------------------------------

def test_suspend_blocks_login_and_ends_open_sessions(app, runner, member):
    browser = app.test_client()
    login(browser, member)
    assert browser.get("/annuaire").status_code == 200

    result = runner.invoke(args=["users", "suspend", member.email, "--reason", "Spam"])
    assert result.exit_code == 0, result.output
    assert f"Compte suspendu : {member.email}" in result.output
    assert _user(member.email).status == "suspended"
    # The open session ends at once, and a new login fails.
    response = browser.get("/annuaire")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]
    assert not _logs_in(app, member.email)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.suspended"))
    assert event.reason == "Spam" and event.target_id == member.id


def test_suspend_unknown_email_fails(app, runner):
    result = runner.invoke(args=["users", "suspend", "inconnu@exemple.fr"])
    assert result.exit_code != 0
    assert "Aucun compte pour inconnu@exemple.fr" in result.output


def test_reactivate_lets_the_member_back_in(app, runner, member):
    assert runner.invoke(args=["users", "suspend", member.email]).exit_code == 0
    assert not _logs_in(app, member.email)
    result = runner.invoke(args=["users", "reactivate", member.email.upper()])
    assert result.exit_code == 0, result.output
    assert "Compte réactivé" in result.output
    assert _user(member.email).status == "active"
    assert _logs_in(app, member.email)


def test_reactivate_unknown_email_fails(app, runner):
    result = runner.invoke(args=["users", "reactivate", "inconnu@exemple.fr"])
    assert result.exit_code != 0
    assert "Aucun compte" in result.output


def test_suspend_twice_is_harmless(app, runner, member):
    assert runner.invoke(args=["users", "suspend", member.email]).exit_code == 0
    assert runner.invoke(args=["users", "suspend", member.email]).exit_code == 0
    assert _user(member.email).status == "suspended"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.suspended")).all()
    assert len(events) == 1


# taxonomy load -------------------------------------------------------------------------------

def test_taxonomy_load_is_idempotent(app, runner):
    total = db.session.scalar(select(func.count()).select_from(TaxonomyTerm))
    db.session.execute(delete(TaxonomyTerm))
    db.session.commit()

    first = runner.invoke(args=["taxonomy", "load"])
    assert first.exit_code == 0, first.output
    assert f"{total} termes ajoutés, 0 mis à jour" in first.output

    second = runner.invoke(args=["taxonomy", "load"])
    assert second.exit_code == 0, second.output
    assert "0 termes ajoutés, 0 mis à jour" in second.output
    assert db.session.scalar(select(func.count()).select_from(TaxonomyTerm)) == total


def test_taxonomy_load_missing_file_fails(app, runner, tmp_path):
    result = runner.invoke(args=["taxonomy", "load", "--file", str(tmp_path / "absent.json")])
    assert result.exit_code != 0


# seed demo -----------------------------------------------------------------------------------

def _demo_logins(output: str) -> tuple[str, list[tuple[str, str]]]:
    password = re.search(r"mot de passe : (\S+?)\)", output).group(1)
    logins = re.findall(r"^\s+(admin|moderator|member)\s+(\S+@\S+)$", output, re.M)
    return password, logins


def test_seed_demo_creates_realistic_members(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    created = int(re.search(r"(\d+) comptes créés", result.output).group(1))
    assert 25 <= created <= 40

    users = db.session.scalars(select(User)).all()
    assert len(users) == created
    assert {u.role for u in users} == {"admin", "moderator", "member"}
    profiles = [access_member(users[0], u.id).profile for u in users]
    regions = {p.region.code for p in profiles if p.region}
    assert len(regions) >= 10
    for profile in profiles:
        assert profile.organisation and profile.bio and profile.region
        assert profile.catalyst_profile and profile.scope
        assert profile.tags_of("trade") and profile.tags_of("domain") and profile.tags_of("sdg")

    password, logins = _demo_logins(result.output)
    assert logins, result.output
    assert "admin" in {role for role, _ in logins}


def test_seed_demo_twice_creates_nothing_more(app, runner):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    total = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    assert "0 comptes créés" in second.output
    assert f"{total} au total" in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == total


def test_seed_demo_admin_logs_in_with_printed_password(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    password, logins = _demo_logins(result.output)
    admin_email = next(email for role, email in logins if role == "admin")
    assert _user(admin_email).role == "admin"
    client = app.test_client()
    assert login(client, admin_email, password).status_code == 302
    # An administrator: the members' administration page opens.
    assert client.get("/admin/membres").status_code == 200
    assert not _logs_in(app, admin_email, "mauvais-mot-de-passe")


def test_seed_demo_alongside_existing_members(app, runner, member):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    created = int(re.search(r"(\d+) comptes créés", result.output).group(1))
    assert db.session.scalar(select(func.count()).select_from(User)) == created + 1
