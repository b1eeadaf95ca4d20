"""@mentions (walls, chat…): the composer's autocomplete inserts `@[Display Name](id)`.

Before Markdown rendering a mention becomes an ordinary link to the member's profile, so
the sanitizer treats it like any other link; unknown or inactive ids stay plain text.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from .accounts.models import User
from .extensions import db
from .sanitize import render_markdown

MENTION_RE = re.compile(r"@\[([^\]\n]{1,120})\]\((\d{1,9})\)")
MAX_MENTIONS = 20


def mentioned_ids(body: str) -> list[int]:
    """Ids mentioned in a text, in order of appearance, without duplicates."""
    ids = [int(match.group(2)) for match in MENTION_RE.finditer(body or "")]
    return list(dict.fromkeys(ids))[:MAX_MENTIONS]


def link_mentions(body: str, names: dict[int, str]) -> str:
    """Turn known mentions into Markdown links `[@Name](/membres/<id>)` (the member's
    current name, whatever was typed); unknown ids are left as typed, as plain text."""

    def replace(match: re.Match) -> str:
        user_id = int(match.group(2))
        name = names.get(user_id)
        if name is None:
            # Escaped, so that Markdown does not turn "[name](42)" into a relative link.
            return "@\\[" + match.group(1) + "\\](" + match.group(2) + ")"
        return f"[@{_escape(name)}](/membres/{user_id})"

    return MENTION_RE.sub(replace, body or "")


def mention_names(text: str, users: dict[str, User]) -> str:
    """`@Name` written in prepared text (the demo data) as the mention markup the composer
    produces, for each of these members."""
    for name, user in users.items():
        text = text.replace(f"@{name}", f"@[{name}]({user.id})")
    return text


def _escape(name: str) -> str:
    return re.sub(r"([\\[\]*_`<>])", r"\\\1", name)


def mentioned_members(body: str) -> dict[int, User]:
    """Active members mentioned in a text, by id (one query)."""
    ids = mentioned_ids(body)
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.status == "active"))
    return {u.id: u for u in users}


def render_with_mentions(body: str) -> tuple[str, dict[int, User]]:
    """The text as sanitized HTML with its mentions linked, and the members it mentions."""
    members = mentioned_members(body)
    html = render_markdown(link_mentions(body, {i: u.display_name for i, u in members.items()}))
    return str(html), members
