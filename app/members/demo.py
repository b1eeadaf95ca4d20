"""Demo members for `flask seed demo`: about thirty catalysts with full profiles, the
people every other feature's demo data is written for."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import do_create_user
from ..extensions import db
from ..taxonomy import TaxonomyTerm
from ..text import fold
from .services import ProfileData, check_update_profile

DEMO_PASSWORD = "catalyseur-demo"
DEMO_DOMAIN = "demo.catalyseurs.fr"

# name, role, organisation, job title, territory, region, profile, scope, trades, domains, SDGs
PEOPLE = [
    ("Claire Dubois", "admin", "Réseau des pionniers des alliances en Territoire",
     "Coordinatrice nationale", "Paris", "IDF", "associatif", "reseau-national",
     ["accompagnement", "dialogue"], ["emploi", "lien-social"], [17, 8]),
    ("Mehdi Benali", "moderator", "Tiers-lieu La Fabrique", "Animateur de communauté",
     "Roubaix", "HDF", "associatif", "local", ["lieu", "dialogue"],
     ["numerique", "emploi"], [4, 17]),
    ("Sophie Martin", "member", "Communauté de communes du Haut-Vivarais",
     "Chargée de mission développement local", "Ardèche", "ARA", "public", "local",
     ["dialogue", "experimentation"], ["mobilite", "vieillissement"], [11, 3]),
    ("Hélène Garnier", "member", "Fondation Terres d'Avenir", "Responsable des partenariats",
     "Lyon", "ARA", "economique", "reseau-national", ["accompagnement"],
     ["pauvrete", "logement"], [1, 10, 17]),
    ("Yannick Le Goff", "member", "Pays de Morlaix", "Directeur du conseil de développement",
     "Morlaix", "BRE", "public", "local", ["dialogue"], ["environnement", "developpement-eco"],
     [13, 14]),
    ("Nathalie Rousseau", "moderator", "Université de Montpellier", "Maîtresse de conférences",
     "Montpellier", "OCC", "academique", "local", ["experimentation", "accompagnement"],
     ["education", "sante"], [4, 3]),
    ("Karim Haddad", "member", "Coopérative d'activités Sud Entreprendre", "Gérant",
     "Marseille", "PAC", "economique", "local", ["accompagnement"],
     ["emploi", "developpement-eco"], [8, 9]),
    ("Élodie Perrin", "member", "Maison de l'emploi du Grand Besançon", "Cheffe de projet",
     "Besançon", "BFC", "public", "local", ["experimentation"], ["emploi", "mobilite"], [8]),
    ("Thomas Lefèvre", "member", "FabLab des Deux Rives", "Fab manager", "Strasbourg", "GES",
     "associatif", "local", ["lieu"], ["numerique", "education"], [4, 9]),
    ("Aïcha Diallo", "member", "Réseau national des régies de quartier",
     "Déléguée régionale", "Saint-Denis", "IDF", "associatif", "reseau-national",
     ["accompagnement", "dialogue"], ["pauvrete", "lien-social"], [1, 11]),
    ("Julien Moreau", "member", "Agglomération du Grand Poitiers", "Chef de service ESS",
     "Poitiers", "NAQ", "public", "local", ["dialogue", "accompagnement"],
     ["developpement-eco"], [8, 12]),
    ("Camille Fontaine", "member", "Groupe La Poste — Engagement sociétal",
     "Responsable territoriale", "Nantes", "PDL", "economique", "reseau-national",
     ["experimentation"], ["numerique", "vieillissement"], [10, 17]),
    ("Pierre-Antoine Caron", "member", "Chambre régionale de l'ESS", "Chargé de mission",
     "Rouen", "NOR", "associatif", "local", ["dialogue"], ["emploi"], [8, 17]),
    ("Marie-Laure Vasseur", "member", "Centre social Les Tilleuls", "Directrice", "Amiens",
     "HDF", "associatif", "local", ["lieu", "dialogue"], ["lien-social", "culture"], [3, 10]),
    ("Lucas Bernard", "member", "Ville de Tours", "Chargé de participation citoyenne", "Tours",
     "CVL", "public", "local", ["dialogue"], ["securite", "lien-social"], [16, 11]),
    ("Anne-Sophie Marchand", "member", "Institut d'études politiques de Rennes",
     "Chercheuse", "Rennes", "BRE", "academique", "local", ["experimentation"],
     ["education", "diversite-handicap"], [4, 5]),
    ("François Giraud", "member", "Entreprise adaptée Horizon", "Directeur général",
     "Limoges", "NAQ", "economique", "local", ["experimentation", "accompagnement"],
     ["diversite-handicap", "emploi"], [8, 10]),
    ("Inès Mercier", "member", "Collectif Énergies citoyennes", "Coordinatrice", "Grenoble",
     "ARA", "associatif", "local", ["experimentation"],
     ["transition-energetique", "environnement"], [7, 13]),
    ("Jean-Baptiste Santini", "member", "Office de l'environnement de la Corse",
     "Chargé de projets", "Ajaccio", "COR", "public", "local", ["dialogue"],
     ["environnement", "mobilite"], [14, 15]),
    ("Laetitia Célestine", "member", "Incubateur Kréyol Innovation", "Directrice",
     "Pointe-à-Pitre", "GUA", "economique", "local", ["accompagnement", "lieu"],
     ["developpement-eco", "emploi"], [8, 9]),
    ("Rodrigue Joseph-Angélique", "member", "Collectivité territoriale de Martinique",
     "Chef de projet cohésion", "Fort-de-France", "MTQ", "public", "local", ["dialogue"],
     ["logement", "pauvrete"], [1, 11]),
    ("Gaëlle Hoarau", "member", "Association Ti Kaz Solidaire", "Présidente", "Saint-Pierre",
     "LRE", "associatif", "local", ["lieu", "accompagnement"], ["logement", "sante"], [3, 11]),
    ("Samuel Da Silva", "member", "Mairie de Cayenne", "Chargé de mission politique de la ville",
     "Cayenne", "GUF", "public", "local", ["dialogue"], ["education", "securite"], [4, 16]),
    ("Zaïnaba Ahmed", "member", "Réseau des entrepreneuses de Mayotte", "Animatrice",
     "Mamoudzou", "MAY", "associatif", "local", ["accompagnement"], ["emploi", "pauvrete"],
     [5, 8]),
    ("Olivier Chevalier", "member", "Mutuelle Solidaire Grand Est", "Directeur RSE", "Metz",
     "GES", "economique", "reseau-national", ["experimentation"], ["sante", "vieillissement"],
     [3, 17]),
    ("Manon Robin", "member", "Tiers-lieu Le Grenier numérique", "Médiatrice numérique",
     "Albi", "OCC", "associatif", "local", ["lieu"], ["numerique", "lien-social"], [4, 10]),
    ("Bertrand Lambert", "member", "Département de la Côte-d'Or", "Directeur de l'insertion",
     "Dijon", "BFC", "public", "local", ["accompagnement", "experimentation"],
     ["emploi", "pauvrete"], [1, 8]),
    ("Chloé Nguyen", "member", "Start-up Mobil'Ensemble", "Cofondatrice", "Bordeaux", "NAQ",
     "economique", "local", ["experimentation"], ["mobilite", "transition-energetique"],
     [11, 13]),
    ("Vincent Morel", "member", "Conservatoire national des arts et métiers",
     "Enseignant-chercheur", "Paris", "IDF", "academique", "reseau-national",
     ["accompagnement"], ["developpement-eco", "education"], [4, 9, 17]),
    ("Émilie Faure", "member", "Maison des solidarités du Pays d'Aix", "Responsable",
     "Aix-en-Provence", "PAC", "associatif", "local", ["dialogue", "lieu"],
     ["vieillissement", "lien-social"], [3, 10]),
]

BIO = (
    "Catalyseuse territoriale depuis plusieurs années, j'accompagne les alliances entre "
    "collectivités, associations et entreprises de mon territoire.\n\n"
    "**Ce que je peux partager :** {trades}.\n\n"
    "Je cherche des pairs ayant mené des expérimentations sur : {domains}."
)


def demo_email(name: str) -> str:
    slug = "".join(c if c.isalnum() else "." for c in fold(name)).strip(".")
    while ".." in slug:
        slug = slug.replace("..", ".")
    return f"{slug}@{DEMO_DOMAIN}"


def load_demo_members() -> tuple[list[tuple[str, str]], int, dict[str, User]]:
    """Create the demo members that do not exist yet.

    Returns every (email, role), how many were created, and the members by name.
    """
    labels = {(t.vocabulary, t.code): t.label for t in db.session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.vocabulary.in_(["trade", "domain"])))}
    existing = {user.email: user for user in db.session.scalars(
        select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))}
    accounts, created, people = [], 0, {}
    for (name, role, organisation, job, territory, region, cprofile, scope, trades, domains,
         sdgs) in PEOPLE:
        email = demo_email(name)
        accounts.append((email, role))
        if email in existing:
            people[name] = existing[email]
            continue
        user = do_create_user(email, name, DEMO_PASSWORD, role)
        bio = BIO.format(
            trades=", ".join(labels[("trade", t)].lower() for t in trades),
            domains=", ".join(labels[("domain", d)].lower() for d in domains))
        data = ProfileData(
            display_name=name, organisation=organisation, job_title=job, territory=territory,
            region=region, catalyst_profile=cprofile, scope=scope, bio=bio,
            tags={"trade": trades, "domain": domains, "sdg": [str(s) for s in sdgs]})
        check_update_profile(user, user, data)
        people[name] = user
        created += 1
    db.session.flush()
    return accounts, created, people
