"""What members type into the chat, checked the same way whichever door it comes through
(a form, a socket event, the CLI): limits and cleaners that raise `Invalid`/`TooLong` with
the sentence the member reads. Pure functions: no query, no write."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...errors import Invalid, TooLong

CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
NAME_MAX = 80
TOPIC_MAX = 250
REASON_MAX = 1000
DIRECT_MAX_OTHERS = 7  # a direct conversation has at most 8 people
INVITE_MAX = 50


def _clean_text(value: object, *, field: str) -> str:
    if not isinstance(value, str):
        raise Invalid(field=field)
    if "\x00" in value:
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."), field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate from JSON ("\ud800")
        raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."),
                      field=field) from error
    return value


def clean_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID_RE.fullmatch(client_id):
        raise Invalid(_l("Identifiant de message invalide."), field="client_id")
    return client_id


def clean_body(body: object) -> str:
    limit = current_app.config["CHAT_MESSAGE_MAX"]
    text = _clean_text(body, field="body").replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_l("Le message est vide."), field="body")
    if len(text) > limit:
        raise TooLong(_l("Le message est trop long (%(n)d caractères au plus).", n=limit),
                      field="body")
    return text


def clean_name(name: object) -> str:
    text = " ".join(_clean_text(name if name is not None else "", field="name").split())
    if not text:
        raise Invalid(_l("Le nom du salon est obligatoire."), field="name")
    if len(text) > NAME_MAX:
        raise Invalid(_l("Le nom est trop long (%(n)d caractères au plus).", n=NAME_MAX),
                      field="name")
    return text


def clean_topic(topic: object) -> str:
    text = " ".join(_clean_text(topic if topic is not None else "", field="topic").split())
    if len(text) > TOPIC_MAX:
        raise Invalid(_l("Le sujet est trop long (%(n)d caractères au plus).", n=TOPIC_MAX),
                      field="topic")
    return text


def clean_reason(reason: object) -> str:
    text = _clean_text(reason if reason is not None else "", field="reason").strip()
    if len(text) > REASON_MAX:
        raise Invalid(_l("Le motif est trop long."), field="reason")
    return text

