"""The compte rendu of a session, as Markdown (shown through app/sanitize.py, downloaded
as a .md file, or published to the library).

The anonymised version names nobody: participants become their role, and their names are
also replaced wherever someone typed them in a contribution.
"""

from __future__ import annotations

import re

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from .models import CodevContribution, CodevParticipant, CodevSession


def _anonymiser(people: list[tuple[CodevParticipant, User]]):
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
    # Longest names first, so "Marie-Laure Vasseur" goes before "Marie".
    names = sorted(labels, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE) if names else None

    def scrub(text: str) -> str:
        if pattern is None:
            return text
        lowered = {k.casefold(): v for k, v in labels.items()}
        return pattern.sub(lambda m: lowered.get(m.group(0).casefold(), ""), text)

    return labels, scrub


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
