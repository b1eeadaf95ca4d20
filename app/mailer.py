"""Outgoing email: rendered at once in the recipient's language, sent by the background
job "mail.send" after the commit (app/jobs.py), so that a slow or unreachable mail server
never holds a request, and a failure is retried instead of lost.

The backend comes from MAIL_BACKEND: console (default, printed), smtp, or locmem (tests);
MAIL_TIMEOUT bounds every SMTP exchange.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives

from .jobs import enqueue, job


def render_mail(to: str, subject: str, template: str, headers: dict | None = None,
                locale: str | None = None, **context) -> dict:
    """The message as plain JSON values: `templates/mail/<template>.txt` and `.html`
    rendered with `context`, in `locale` when given (else the current one)."""
    with force_locale(locale) if locale else nullcontext():
        return {"to": [to], "subject": str(subject),
                "text": render_template(f"mail/{template}.txt", **context),
                "html": render_template(f"mail/{template}.html", **context),
                "headers": dict(headers or {})}


def send_mail(to: str, subject: str, template: str, headers: dict | None = None,
              locale: str | None = None, **context) -> None:
    """Render the message now and send it after the current transaction commits.

    `headers` adds message headers (e.g. List-Unsubscribe on digests). `subject` may be a
    lazy string: it is rendered in `locale` like the body.
    """
    with force_locale(locale) if locale else nullcontext():
        message = render_mail(to, str(subject), template, headers, **context)
    enqueue("mail.send", message)


@job("mail.send")
def deliver(message: dict) -> None:
    """Send a rendered message; an error (server down, timeout) fails the job, which is
    retried."""
    email = EmailMultiAlternatives(subject=message["subject"], body=message["text"],
                                   to=message["to"], headers=message.get("headers") or None)
    email.attach_alternative(message["html"], "text/html")
    email.send()
