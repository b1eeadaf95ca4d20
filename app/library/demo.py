"""Demo documents for `flask seed demo`: a few published studies, kits and records, one
waiting for validation, one with changes asked, and a thematic collection."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from . import services as library
from .files import check_library_file
from .models import Document

# (submitter, file name, content, title, type, year, summary, tags, state)
DOCUMENTS = [
    ("Sophie Martin", "mobilite-rurale.md",
     "# Mobilité solidaire en Haut-Vivarais\n\nLe transport à la demande et le covoiturage "
     "de proximité ont réduit l'isolement des personnes âgées sur dix-huit communes.",
     "Mobilité solidaire en territoire rural : bilan de trois ans", "retour-experience",
     2024, "Ce que la communauté de communes a appris en lançant un service de transport "
     "solidaire avec les associations et les habitants.",
     {"domain": ["mobilite", "vieillissement"], "region": ["ARA"],
      "territorial_level": ["local"], "actor_profile": ["collectivites", "associations"]},
     "published"),
    ("Hélène Garnier", "kit-partenariats.md",
     "# Kit partenariats fondations-territoires\n\n1. Cartographier les acteurs\n2. "
     "Construire une convention\n3. Évaluer ensemble",
     "Kit : construire un partenariat entre une fondation et un territoire", "outil", 2023,
     "Une méthode en trois étapes, avec des modèles de convention et une grille "
     "d'évaluation partagée.",
     {"domain": ["pauvrete"], "actor_profile": ["fondations", "collectivites"],
      "territorial_level": ["regional"]}, "published"),
    ("Mehdi Benali", "tiers-lieux-numerique.md",
     "# Inclusion numérique en tiers-lieu\n\nAteliers, permanences et médiation : "
     "l'expérience de La Fabrique à Roubaix.",
     "Inclusion numérique : le rôle des tiers-lieux", "exemple", 2025,
     "Comment un tiers-lieu accompagne les habitants éloignés du numérique.",
     {"domain": ["numerique", "emploi"], "region": ["HDF"], "territorial_level": ["local"]},
     "published"),
    ("Sophie Martin", "habitat-inclusif.md",
     "# Habitat inclusif\n\nPremières pistes pour un habitat partagé entre générations.",
     "Habitat inclusif : premières pistes", "etude", 2025,
     "Note de travail sur l'habitat partagé intergénérationnel.",
     {"domain": ["logement", "vieillissement"]}, "pending"),
    ("Hélène Garnier", "compte-rendu-webinaire.md",
     "# Webinaire du réseau\n\nÉchanges sur l'évaluation d'impact social.",
     "Compte rendu du webinaire sur l'évaluation d'impact", "compte-rendu", 2024,
     "Les points clés du webinaire mensuel.", {"domain": ["emploi"]}, "changes"),
]
COLLECTION = ("Vieillir dans son territoire",
              "Études et retours d'expérience sur l'autonomie des personnes âgées.")


def load_demo_library(users: dict[str, User]) -> int:
    """Create the demo documents that do not exist yet. Returns the documents created."""
    moderator = users["Mehdi Benali"]
    existing = set(db.session.scalars(select(Document.title)))
    created = 0
    for (name, filename, content, title, kind, year, summary, tags, state) in DOCUMENTS:
        if title in existing:
            continue
        submitter = users[name]
        [document] = library.check_submit(
            submitter, None, None,
            [check_library_file(filename, content.encode(), library.max_bytes())],
            library.DocumentData(title=title, document_type=kind, year=year, summary=summary,
                                 authors=name, licence="cc-by", tags=tags))
        if state == "published":
            library.do_approve(moderator, document)
        elif state == "changes":
            library.check_request_changes(moderator, document,
                                          "Pouvez-vous ajouter la date et les intervenants ?")
        created += 1
    title, description = COLLECTION
    if created and not db.session.scalar(
            select(library.Collection.id).where(library.Collection.title == title)):
        collection = library.check_create_collection(moderator, title, description)
        for document in db.session.scalars(select(Document).where(
                Document.state == "published", Document.title.in_(
                    [DOCUMENTS[0][3], DOCUMENTS[2][3]]))):
            library.check_add_to_collection(moderator, collection, document)
    return created
