"""Demo project spaces for `flask seed demo`: an open and a private project of the demo
members, with members, wall posts, chat messages, actions, meetings (a past one with its
minutes) and documents on their shelf."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..chat import services as chat
from ..extensions import db
from ..library import services as library
from ..library.files import check_library_file
from ..walls import services as walls
from . import services
from .models import Project

# title, visibility, status, lead, members, pitch, territory, tags, partners, description
PROJECTS = [
    ("Mobilité solidaire en Haut-Vivarais", "open", "active", "Sophie Martin",
     ["Hélène Garnier", "Mehdi Benali"],
     "Un réseau de covoiturage et de transport à la demande pour les villages isolés",
     "Communauté de communes du Haut-Vivarais",
     {"region": ["ARA"], "domain": ["mobilite", "vieillissement"], "sdg": ["11", "17"],
      "actor_profile": ["collectivites", "associations", "entreprises"],
      "partnership_type": ["innovation-societale"]},
     [("Communauté de communes du Haut-Vivarais", "collectivites"),
      ("Association Roule ma poule", "associations")],
     "## Pourquoi\n\nDans nos villages, une personne âgée sur trois n'a plus de voiture.\n\n"
     "## Ce que nous testons\n\n- un service de covoiturage solidaire ;\n"
     "- un transport à la demande les jours de marché ;\n- une plateforme d'inscription "
     "par téléphone."),
    ("Fonds territorial pour le logement d'abord", "private", "idea", "Hélène Garnier",
     ["Sophie Martin"],
     "Préparer avec deux fondations un fonds d'amorçage pour des logements d'insertion",
     "Métropole de Lyon",
     {"region": ["ARA"], "domain": ["logement", "pauvrete"], "sdg": ["1", "10"],
      "actor_profile": ["fondations", "collectivites"], "partnership_type": ["mecenat"]},
     [("Fondation Terres d'Avenir", "fondations")],
     "Un projet en préparation : rien n'est encore public."),
]


def load_demo_projects(users: dict[str, User]) -> int:
    """Create the demo projects that do not exist yet (by title). Returns those created."""
    existing = set(db.session.scalars(select(Project.title)))
    created = 0
    for (title, visibility, status, lead_name, member_names, pitch, territory, tags, partners,
         description) in PROJECTS:
        lead = users.get(lead_name)
        if title in existing or lead is None:
            continue
        project = services.check_create_project(lead, services.ProjectData(
            title=title, pitch=pitch, description=description, status=status,
            visibility=visibility, territory=territory, tags=tags, partners=partners))
        access = services.access_project(lead, project.id)
        others = [users[name] for name in member_names if name in users]
        services.check_invite(lead, access, [u.id for u in others])
        wall = walls.access_wall(lead, project.wall_id)
        walls.check_create_post(lead, wall, title="Bienvenue dans l'espace du projet",
                                body="Ici, nous partageons les comptes rendus et les "
                                     "décisions. Le salon sert aux échanges rapides.")
        chat.check_send(lead, project.channel_id, "Bonjour à toutes et tous, "
                        "l'ordre du jour du prochain comité arrive !", f"demo-project-{project.id}")
        owner = others[0] if others else lead
        services.check_create_action(lead, access, title="Rédiger la convention de partenariat",
                                     owner_id=owner.id, due_on=date.today() + timedelta(days=21))
        services.check_create_action(lead, access, title="Recenser les besoins des habitants",
                                     owner_id=lead.id, status="doing")
        next_week = datetime.now() + timedelta(days=7)
        services.check_create_meeting(lead, access, services.MeetingData(
            title="Comité de pilotage", starts_local=next_week.replace(
                hour=14, minute=0, second=0, microsecond=0),
            duration_minutes=90, visio_url="https://meet.jit.si/catalyseurs-comite",
            agenda="1. Tour de table\n2. Budget\n3. Calendrier"))
        _demo_documents(lead, access, title)
        created += 1
    return created


def _file(name: str, text: str):
    return check_library_file(name, text.encode(), library.max_bytes())


def _demo_documents(lead: User, access, title: str) -> None:
    """A framing note on the shelf and, a fortnight ago, a meeting with its minutes."""
    services.check_submit_documents(lead, access, [_file("note-de-cadrage.md", (
        f"# Note de cadrage — {title}\n\n## Objectifs\n\n- réunir les partenaires ;\n"
        "- tester le service pendant six mois ;\n- en tirer un retour d'expérience.\n"))],
        library.DocumentData(title="Note de cadrage", document_type="methode",
                             summary="Objectifs, partenaires et calendrier du projet.",
                             authors=lead.display_name, keywords="cadrage, partenariat"))
    past = (datetime.now() - timedelta(days=14)).replace(hour=10, minute=0, second=0,
                                                         microsecond=0)
    meeting = services.check_create_meeting(lead, access, services.MeetingData(
        title="Réunion de lancement", starts_local=past, duration_minutes=60,
        agenda="1. Présentations\n2. Objectifs"))
    target = services.access_meeting(lead, access, meeting.id)
    services.check_attach_minutes(lead, target, _file("compte-rendu-lancement.md", (
        "# Compte rendu de la réunion de lancement\n\nPrésent·es : l'équipe du projet.\n\n"
        "## Décisions\n\n- un comité de pilotage par mois ;\n- une note de cadrage "
        "partagée.\n")))
