"""Demo co-development session for the demo accounts (wired into `flask seed demo`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from . import services
from .models import CodevSession

SESSIONS = [
    # subject, days ahead, facilitator, client, consultants
    ("Faire venir les entreprises locales dans un tiers-lieu rural", 6, "Aïcha Diallo",
     "Émilie Faure", ["Karim Haddad", "Hélène Garnier", "Thomas Lefèvre", "Manon Robin"]),
    ("Sortir d'une expérimentation emploi quand le financement s'arrête", 13,
     "Mehdi Benali", "Élodie Perrin", ["Julien Moreau", "Camille Fontaine",
                                        "Pierre-Antoine Caron"]),
]


def load_demo_codev(users: dict[str, User]) -> int:
    """Schedule the demo sessions that do not exist yet. Returns how many were created."""
    created = 0
    for subject, days, facilitator, client, consultants in SESSIONS:
        if db.session.scalar(select(CodevSession.id).where(CodevSession.subject == subject)):
            continue
        when = (utcnow() + timedelta(days=days)).replace(hour=12, minute=30, second=0,
                                                         microsecond=0)
        services.check_schedule(users[facilitator], services.SessionData(
            subject=subject, scheduled_at=when,
            visio_url="https://visio.catalyseurs.example/codeveloppement",
            client_id=users[client].id, consultant_ids=[users[n].id for n in consultants]))
        created += 1
    return created
