"""Command-line interface: `flask users ...`, `flask taxonomy load`, `flask seed demo`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from . import taxonomy
from .accounts import services
from .backup import backup as backup_cli
from .db import transaction
from .demo import DEMO_PASSWORD, load_demo
from .errors import Invalid
from .jobs_cli import jobs_cli
from .notifications.cli import notify
from .storage import storage_cli

users = click.Group("users", help="Gérer les comptes des membres.")
taxonomy_cli = click.Group("taxonomy", help="Vocabulaires du réseau.")
seed = click.Group("seed", help="Données de démonstration.")


def register(app: Flask) -> None:
    for group in (users, taxonomy_cli, seed, notify):
        app.cli.add_command(group)
    app.cli.add_command(storage_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(jobs_cli)


def _fail(error: Invalid) -> None:
    raise click.ClickException(str(error.message))


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Nom affiché.")
@click.option("--role", type=click.Choice(["admin", "moderator", "member"]), default="member")
@click.password_option(help="Demandé deux fois, masqué (peut être fourni sur l'entrée standard).")
def users_create(email: str, name: str, role: str, password: str) -> None:
    """Create an account directly, without invitation."""
    try:
        with transaction():
            user = services.check_create_user(email, name, password, role)
    except Invalid as error:
        _fail(error)
    click.echo(f"Compte créé : {user.email} ({user.role})")


@users.command("invite")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "moderator", "member"]), default="member")
def users_invite(email: str, role: str) -> None:
    """Send an invitation email (printed to the console with the default mail backend)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        try:
            with transaction():
                invitation = services.check_invite(None, email, role)
        except Invalid as error:
            _fail(error)
    click.echo(f"Invitation envoyée à {invitation.email}, valable jusqu'au "
               f"{invitation.expires_at:%d/%m/%Y}.")


@users.command("suspend")
@click.argument("email")
@click.option("--reason", default="", help="Motif (consigné dans le journal).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Fin de la suspension, AAAA-MM-JJ (reconnexion possible à partir de ce "
                   "jour, heure de Paris). Sans date : jusqu'à réactivation.")
def users_suspend(email: str, reason: str, until) -> None:
    """Suspend an account: its open sessions end at once."""
    day = until.date() if until else None
    _set_status(email, "suspended", reason, day)
    suffix = f" jusqu'au {day:%d/%m/%Y}" if day else ""
    click.echo(f"Compte suspendu : {email}{suffix}")


@users.command("reactivate")
@click.argument("email")
def users_reactivate(email: str) -> None:
    """Lift a suspension."""
    _set_status(email, "active", "")
    click.echo(f"Compte réactivé : {email}")


@users.command("lift-expired-suspensions")
def users_lift_expired() -> None:
    """Reactivate the accounts whose suspension end date has passed (for a daily cron)."""
    with transaction():
        count = services.do_lift_expired_suspensions()
    click.echo(f"Suspensions arrivées à échéance levées : {count}")


def _set_status(email: str, status: str, reason: str, day=None) -> None:
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"Aucun compte pour {email}")
    try:
        with transaction():
            services.do_change_status(None, user, status, reason,
                                      until=services.check_suspension_end(day))
    except Invalid as error:
        _fail(error)


@taxonomy_cli.command("load")
@click.option("--file", "path", default=None, help="Chemin de taxonomy.json.")
def taxonomy_load(path: str | None) -> None:
    """Load or update the vocabularies from ../shared/taxonomy.json (idempotent)."""
    path = path or current_app.config["TAXONOMY_FILE"]
    with transaction():
        created, updated = taxonomy.sync_terms(taxonomy.read_file(path))
    click.echo(f"Vocabulaires : {created} termes ajoutés, {updated} mis à jour ({path}).")


@seed.command("demo")
def seed_demo() -> None:
    """Create realistic French demo data; running it again changes nothing."""
    with transaction():
        taxonomy.sync_terms(taxonomy.read_file(current_app.config["TAXONOMY_FILE"]))
    with transaction():
        accounts, created = load_demo()
    click.echo(f"Données de démonstration : {created} comptes créés, {len(accounts)} au total.")
    click.echo("Connexions de démonstration (mot de passe : " + DEMO_PASSWORD + ") :")
    for email, role in accounts[:3]:
        click.echo(f"  {role:<10} {email}")
