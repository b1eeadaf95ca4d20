"""The compte rendu of a session, as Markdown (shown through app/sanitize.py, downloaded
as a .md file, or published to the library).

The anonymised version names nobody: participants become their role, and their names (full,
or a first or last name alone) are also replaced wherever someone typed them.
"""

from __future__ import annotations

import re

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from .models import CodevContribution, CodevParticipant, CodevSession

# Name parts too common to stand for one person ("Jean de La Fontaine": "de", "La").
PARTICLES = {"d'", "da", "de", "del", "della", "des", "di", "du", "el", "la", "le", "les",
             "van", "von", "der", "den", "ten", "ter"}


def _anonymiser(people: list[tuple[CodevParticipant, User]]):
    """Each participant's label, and a function replacing their names in a text.

    A full name becomes the role; a first or last name typed alone ("Émilie suggested…")
    does too, when only one participant bears it (a name two people share becomes a
    neutral "un·e participant·e"). Whole words only, whatever the case: "Karim" is
    replaced, "Karimova" is not.
    """
    labels: dict[str, str] = {}
    consultants = 0
    for participant, user in people:
        if participant.role == "consultant":
            consultants += 1
            labels[user.display_name] = str(_l("consultant·e %(n)d", n=consultants))
        elif participant.role == "client":
            labels[user.display_name] = str(_l("le ou la client·e"))
        else:
            labels[user.display_name] = str(_l("l'animateur·rice"))
    replacements = {name.casefold(): label for name, label in labels.items()}
    parts: dict[str, set[str]] = {}
    for name, label in labels.items():
        for part in name.split():
            key = part.casefold()
            if len(part) > 1 and key not in PARTICLES and key not in replacements:
                parts.setdefault(key, set()).add(label)
    neutral = str(_l("un·e participant·e"))
    for key, found in parts.items():
        replacements[key] = found.pop() if len(found) == 1 else neutral
    # Longest names first, so "Marie-Laure Vasseur" goes before "Marie-Laure".
    names = sorted(replacements, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                         re.IGNORECASE) if names else None

    def scrub(text: str) -> str:
        if pattern is None:
            return text
        return pattern.sub(lambda m: replacements.get(m.group(0).casefold(), neutral), text)

    return labels, scrub


def scrubber(people: list[tuple[CodevParticipant, User]]):
    """The function that takes participants' names out of a text (the published record's
    title uses it too)."""
    return _anonymiser(people)[1]


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def render(session: CodevSession, people: list[tuple[CodevParticipant, User]],
           items: list[CodevContribution], *, anonymised: bool) -> str:
    labels, scrub = _anonymiser(people)

    def who(user: User) -> str:
        return labels.get(user.display_name, "") if anonymised else user.display_name

    def text(value: str) -> str:
        return scrub(value) if anonymised else value

    by_kind: dict[str, list[CodevContribution]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    lines = [f"# {_l('Compte rendu de codéveloppement')} — {text(session.subject)}", ""]
    if not anonymised:
        when = format_datetime(session.started_at or session.scheduled_at,
                               "EEEE d MMMM yyyy 'à' HH:mm")
        lines.append(f"- **{_l('Date')}** : {when}")
        for role, label in (("facilitator", _l("Animation")), ("client", _l("Client·e")),
                            ("consultant", _l("Consultant·es"))):
            names = [u.display_name for p, u in people if p.role == role]
            if names:
                lines.append(f"- **{label}** : {', '.join(names)}")
        lines.append("")
    else:
        lines += [str(_l("Version anonymisée : chacun·e est désigné·e par son rôle.")), ""]

    lines += [f"## {_l('Demande reformulée')}", ""]
    requests = by_kind.get("request", [])
    lines += [_quote(text(requests[-1].body)) if requests else str(_l("(non formulée)")), ""]

    questions = by_kind.get("question", [])
    if questions:
        lines += [f"## {_l('Questions de clarification')}", ""]
        lines += [f"- {text(' '.join(q.body.split()))}" for q in questions]
        lines.append("")

    actions = by_kind.get("action", [])
    retained_ids = {a.source_id for a in actions if a.source_id is not None}
    retained = [s for s in by_kind.get("suggestion", []) if s.id in retained_ids]
    lines += [f"## {_l('Suggestions retenues')}", ""]
    if retained:
        lines += [f"- {text(' '.join(s.body.split()))} ({who(s.author)})" for s in retained]
    else:
        lines.append(str(_l("(aucune)")))
    lines.append("")

    lines += [f"## {_l('Plan d’action')}", ""]
    if actions:
        lines += [f"{n}. {text(' '.join(a.body.split()))}" for n, a in enumerate(actions, 1)]
    else:
        lines.append(str(_l("(aucune action)")))
    lines.append("")

    lines += [f"## {_l('Apprentissages')}", ""]
    lessons = by_kind.get("lesson", [])
    if lessons:
        lines += [f"- **{who(item.author)}** : {text(' '.join(item.body.split()))}"
                  for item in lessons]
    else:
        lines.append(str(_l("(aucun)")))
    lines.append("")
    return "\n".join(lines)
