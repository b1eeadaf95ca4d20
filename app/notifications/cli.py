"""`flask notify digest`: the daily digest emails (run it once a day, e.g. from cron)."""

from __future__ import annotations

import click
from flask import current_app

from ..db import transaction
from . import services

notify = click.Group("notify", help="Notifications et synthèses par e-mail.")


@notify.command("digest")
def digest() -> None:
    """Send today's digest to every member who chose it; running it again sends nothing."""
    # Links in the emails are built with url_for: give it the public address.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]), \
            transaction():
        sent = services.do_send_digests()
    click.echo(f"{sent} e-mails de synthèse envoyés.")
