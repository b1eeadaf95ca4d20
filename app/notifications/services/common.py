"""Constants and text shaping shared by the notification modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...text import safe_path

# How each kind reaches a member who never chose: rare and personal things by email at once,
# frequent ones in the platform only (see docs/decisions.md, "Notifications and feed").
DEFAULT_DELIVERY: dict[str, str] = {
    "mention": "email",
    "reply": "inapp",
    "reaction": "inapp",
    "accepted_answer": "email",
    "moderation": "email",
    "project": "inapp",
    "event": "email",
}

# Activities addressed to one member: only their target sees them, never the followers of
# their context ("X vous a mentionné·e" must not appear in everyone's feed).
PERSONAL_VERBS = frozenset({"mention"})

KIND_SUBJECTS = {
    "mention": _l("Vous avez été mentionné·e"),
    "reply": _l("Nouvelle réponse à votre contribution"),
    "reaction": _l("Nouvelle réaction à votre contribution"),
    "accepted_answer": _l("Votre réponse a été acceptée"),
    "moderation": _l("Décision de modération sur votre contribution"),
    "project": _l("Du nouveau dans vos projets"),
    "event": _l("Agenda : invitation ou rappel"),
}

FEED_PAGE_MAX = 100
TITLE_MAX = 200
EXCERPT_MAX = 300
CONTEXT_NAME_MAX = 120
TEXT_MAX = 500
URL_MAX = 500
DIGEST_ITEMS_MAX = 50
UNSUBSCRIBE_SALT = "notifications.digest-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 90 * 24 * 3600  # a digest may sit in an inbox for weeks
PARIS = ZoneInfo("Europe/Paris")


def require_path(url: str | None) -> str:
    path = safe_path(url)
    if path is None:
        raise ValueError(f"expected a same-site path, got {url!r}")
    return path


def one_line(value: Any, limit: int) -> str:
    """One line of plain text: whitespace collapsed, cut on a word boundary."""
    text = " ".join(str(value or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.!?-") + "…"


def snapshot(data: dict | None) -> dict:
    """The display snapshot of an activity, normalised; unknown keys are kept as given."""
    snapshot = dict(data or {})
    for key, limit in (("title", TITLE_MAX), ("excerpt", EXCERPT_MAX),
                       ("context_name", CONTEXT_NAME_MAX)):
        if key in snapshot or key in ("title", "excerpt"):
            snapshot[key] = one_line(snapshot.get(key), limit)
    if snapshot.get("url"):
        snapshot["url"] = require_path(snapshot["url"])
    else:
        snapshot["url"] = ""
    return snapshot




def absolute_url(path: str) -> str:
    return current_app.config["BASE_URL"] + path


# Hooks registered by the features that own the objects -------------------------------------

# CONTEXT_NAMES[context_type](context_id) -> the display name of a context (a project's title).
# An activity recorded in a context without a `context_name` (the library announcing a
# document of a project's shelf) gets it from here: owner features register theirs.
CONTEXT_NAMES: dict[str, Callable[[int], str]] = {}

# FEED_EXCLUSIONS: fn(user) -> an SQL condition on Activity, true for activities that member
# may no longer see (the wall of a private project they left). Owner features register
# theirs; each becomes a subquery of the feed's one query, so a follow left behind (a post
# once commented) never leaks what happens behind a closed door.
FEED_EXCLUSIONS: list[Callable[[User], Any]] = []

# RECIPIENT_CHECKS[object_type](user, object_id) -> whether that member may still see the
# object. Owner features register theirs: a member who left a private project is told
# nothing more about its posts, whatever follow or mention pointed at them.
RECIPIENT_CHECKS: dict[str, Callable[[User, int], bool]] = {}
