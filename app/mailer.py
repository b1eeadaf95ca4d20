"""Outgoing email: one function that renders a text and an HTML template and sends both.

The backend comes from MAIL_BACKEND: console (default, printed), smtp, or locmem (tests).
"""

from __future__ import annotations

from flask import render_template
from flask_mailman import EmailMultiAlternatives


def send_mail(to: str, subject: str, template: str, headers: dict | None = None,
              **context) -> None:
    """Send `templates/mail/<template>.txt` and `.html` rendered with `context` to `to`.

    `headers` adds message headers (e.g. List-Unsubscribe on digests).
    """
    text = render_template(f"mail/{template}.txt", **context)
    html = render_template(f"mail/{template}.html", **context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    message.send()
