"""Demo agenda of the network for the demo accounts (wired into `flask seed demo`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from . import services
from .models import AgendaEvent

EVENTS = [
    # kind, title, days ahead, hour (UTC), minutes, capacity, description, attendees
    ("animation", "Café des catalyseurs : tour de table de la semaine", 2, 8, 60, None,
     "Chaque jeudi, une heure pour partager ce qui avance et ce qui bloque sur nos "
     "territoires.", ["Sophie Martin", "Karim Haddad", "Manon Robin"]),
    ("webinaire", "Webinaire : financer un tiers-lieu par le mécénat de compétences", 9, 12,
     90, 100, "Avec l'Observatoire des partenariats. **Replay** disponible ensuite.",
     ["Hélène Garnier", "Camille Fontaine", "Thomas Lefèvre"]),
    ("rencontre", "Rencontre annuelle des pionniers des alliances en Territoire", 60, 7,
     9 * 60, 250, "Deux jours pour faire réseau : ateliers, retours d'expérience, "
     "assemblée générale.", ["Claire Dubois", "Mehdi Benali", "Nathalie Rousseau"]),
    # Past: its replay and minutes are attached below.
    ("webinaire", "Webinaire : associer les entreprises à une expérimentation emploi", -12, 12,
     90, None, "Trois catalyseurs racontent comment ils ont embarqué des employeurs locaux.",
     []),
]
PAST_REPLAY = "https://replay.catalyseurs.example/webinaire-emploi"
PAST_MINUTES = """# Compte rendu : associer les entreprises à une expérimentation emploi

## Ce qui a marché

- Partir d'un besoin de recrutement réel, formulé par les employeurs eux-mêmes.
- Un binôme catalyseur et chargé·e de mission de la communauté de communes.
- Des petits-déjeuners d'entreprises tous les deux mois, courts et concrets.

## Les difficultés

- Tenir dans la durée quand l'interlocuteur change dans l'entreprise.
- Mesurer les effets : se mettre d'accord dès le départ sur trois indicateurs.

## Pour aller plus loin

Le kit d'animation présenté est disponible dans la bibliothèque.
"""


def load_demo_agenda(users: dict[str, User]) -> int:
    """Create the demo events that do not exist yet, with a few answers. Returns how many
    events were created."""
    organizer = users["Mehdi Benali"]
    created = 0
    for kind, title, days, hour, minutes, capacity, description, attendees in EVENTS:
        if db.session.scalar(select(AgendaEvent.id).where(AgendaEvent.title == title)):
            continue
        start = (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0,
                                                          microsecond=0)
        event = services.check_create_event(organizer, services.EventData(
            kind=kind, title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes),
            description=description, capacity=capacity,
            visio_url="https://visio.catalyseurs.example/agenda"))
        for name in attendees:
            services.check_rsvp(users[name], event.id, "going")
        if days < 0:
            services.check_set_replay(organizer, event.id, PAST_REPLAY)
            services.check_attach_document(organizer, event.id, "minutes",
                                           "compte-rendu-webinaire-emploi.md",
                                           PAST_MINUTES.encode("utf-8"))
        created += 1
    return created
