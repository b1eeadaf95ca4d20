"""Realistic French demo data for `flask seed demo` and `make run`'s first start."""

from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy import select

from .accounts.models import User
from .accounts.services import do_create_user
from .chat import services as chat
from .chat.models import Channel
from .db import utcnow
from .extensions import db
from .members.services import ProfileData, check_update_profile
from .taxonomy import TaxonomyTerm
from .text import fold
from .walls import services as walls
from .walls.models import Comment, Post

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


def load_demo() -> tuple[list[tuple[str, str]], int]:
    """Create the demo members that do not exist yet. Returns (all (email, role), created)."""
    labels = {(t.vocabulary, t.code): t.label for t in db.session.scalars(
        select(TaxonomyTerm).where(TaxonomyTerm.vocabulary.in_(["trade", "domain"])))}
    existing = set(db.session.scalars(select(User.email)))
    accounts, created = [], 0
    for (name, role, organisation, job, territory, region, cprofile, scope, trades, domains,
         sdgs) in PEOPLE:
        email = demo_email(name)
        accounts.append((email, role))
        if email in existing:
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
        created += 1
    db.session.flush()
    # The other features' demo data is written for these members (and imports their names
    # from here): imported now rather than at the top, where it would be circular.
    from .agenda.demo import load_demo_agenda
    from .codev.demo import load_demo_codev
    from .library.demo import load_demo_library
    from .projects.demo import load_demo_projects

    # The walls services build links with url_for: outside a request (the CLI), give them one.
    context = nullcontext() if has_request_context() else current_app.test_request_context(
        base_url=current_app.config["BASE_URL"])
    with context:
        load_demo_walls()
        load_demo_chat()
        load_demo_library()
        load_demo_projects()
        load_demo_codev()
        load_demo_agenda()
    return accounts, created


# Walls -------------------------------------------------------------------------------------
# Thematic walls beside the general one, and about twenty posts as members would write
# them: questions (one answered), an announcement, comments, reactions and mentions.
# `@Name` in a text becomes a mention of that demo member.

WALLS = [
    ("Emploi et insertion",
     "Territoires zéro chômeur, clauses d'insertion, GEIQ, entreprises inclusives : partager "
     "ce qui marche pour l'emploi local."),
    ("Mobilités rurales",
     "Transport à la demande, covoiturage solidaire, garages solidaires : se déplacer hors "
     "des métropoles."),
    ("Tiers-lieux et lieux partagés",
     "Animer un lieu, trouver son modèle économique, faire vivre une communauté."),
    ("Outre-mer",
     "Les catalyseurs des territoires ultramarins : défis communs, coopérations, retours "
     "d'expérience."),
]

# key, author, wall ("" = general), kind, title, body, tags (domain, region, sdg)
POSTS = [
    ("rencontre", "Claire Dubois", "", "announcement",
     "Rencontre annuelle 2026 : réservez les 11 et 12 juin à Lyon",
     "La **Rencontre annuelle** du réseau aura lieu les **11 et 12 juin** à Lyon, à la "
     "Maison de l'économie sociale et solidaire.\n\n"
     "Au programme :\n\n"
     "- une matinée de retours d'expérience entre pairs ;\n"
     "- des ateliers de codéveloppement par métier ;\n"
     "- la présentation de l'étude de l'observatoire sur le métier de catalyseur.\n\n"
     "Les inscriptions ouvrent le 1er avril. Dites-nous en commentaire les sujets que vous "
     "aimeriez voir traités !",
     {"sdg": ["17"]}),
    ("bienvenue", "Mehdi Benali", "", "discussion",
     "Bienvenue sur les murs de discussion",
     "Ces murs sont à vous : posez vos questions, racontez ce qui a marché (et ce qui n'a "
     "pas marché), signalez une ressource utile.\n\n"
     "Quelques repères : un message = un sujet ; pour une demande précise, choisissez le "
     "type **Question** ; tapez @ suivi d'un prénom pour mentionner un pair. L'équipe "
     "d'animation reste joignable en commentaire ou par le bouton « Signaler ».",
     {}),
    ("tad", "Sophie Martin", "Mobilités rurales", "question",
     "Transport à la demande en zone peu dense : quel modèle de financement ?",
     "Notre communauté de communes (28 communes, 15 000 habitants) veut lancer un transport "
     "à la demande pour les personnes sans voiture, surtout les aînés et les jeunes en "
     "insertion.\n\n"
     "La région finance l'investissement mais pas le fonctionnement. Comment avez-vous "
     "bouclé le budget de fonctionnement ? Participation des usagers, des employeurs, "
     "mécénat ?",
     {"domain": ["mobilite", "vieillissement"], "region": ["ARA"], "sdg": ["11"]}),
    ("mecenes", "Hélène Garnier", "Emploi et insertion", "question",
     "Mobiliser des entreprises mécènes sur un projet d'insertion : par où commencer ?",
     "Nous accompagnons un chantier d'insertion dans la vallée du Gier qui cherche à "
     "diversifier ses financements. Les entreprises du territoire sont intéressées « en "
     "principe » mais rien ne se concrétise.\n\n"
     "Avez-vous une méthode pour passer de l'intérêt poli à un engagement sur trois ans ?",
     {"domain": ["emploi", "pauvrete"], "region": ["ARA"], "sdg": ["8", "17"]}),
    ("tarifs", "Manon Robin", "Tiers-lieux et lieux partagés", "question",
     "Tarification d'un tiers-lieu rural : adhésion, prix libre ou abonnement ?",
     "Le Grenier numérique ouvre un espace de coworking à côté de la médiation numérique. "
     "On hésite entre une adhésion annuelle à prix libre et des abonnements mensuels.\n\n"
     "Qu'est-ce qui a marché chez vous pour rester accessible **et** tenir l'équilibre ?",
     {"domain": ["numerique", "lien-social"], "region": ["OCC"]}),
    ("plan-climat", "Yannick Le Goff", "", "discussion",
     "Retour d'expérience : un plan climat co-construit avec 120 habitants",
     "Le conseil de développement du Pays de Morlaix a animé six ateliers ouverts pour "
     "nourrir le plan climat. Ce qui a fait la différence : des ateliers dans les bourgs "
     "plutôt qu'à la ville-centre, et des élus qui écoutent sans répondre tout de suite.\n\n"
     "@Inès Mercier, vos collectifs citoyens de l'énergie ont-ils été associés aux plans "
     "climat chez vous ?",
     {"domain": ["environnement"], "region": ["BRE"], "sdg": ["13"]}),
    ("tzc", "Élodie Perrin", "Emploi et insertion", "discussion",
     "Territoire zéro chômeur : 18 mois après, nos premiers enseignements",
     "L'entreprise à but d'emploi de Planoise emploie aujourd'hui 42 personnes. Trois "
     "enseignements :\n\n"
     "1. le repérage des personnes passe par les associations de quartier, pas par les "
     "fichiers ;\n"
     "2. les activités utiles se trouvent en écoutant les habitants, pas en faisant une "
     "étude de marché ;\n"
     "3. le comité local doit garder du temps pour les désaccords.\n\n"
     "Je peux partager notre grille de suivi à qui la veut.",
     {"domain": ["emploi"], "region": ["BFC"], "sdg": ["8", "10"]}),
    ("velo", "Thomas Lefèvre", "Tiers-lieux et lieux partagés", "discussion",
     "Un atelier de réparation de vélos au fablab : mode d'emploi",
     "Depuis septembre, le FabLab des Deux Rives ouvre un atelier vélo chaque samedi. Les "
     "pièces imprimées en 3D dépannent quand les fournisseurs sont en rupture, et l'atelier "
     "attire un public qui ne venait jamais au fablab.\n\n"
     "Budget de départ : 4 000 € d'outillage, financé par un appel à projets de la métropole.",
     {"domain": ["mobilite", "numerique"], "region": ["GES"], "sdg": ["11", "12"]}),
    ("incubation", "Laetitia Célestine", "Outre-mer", "discussion",
     "Incubation en Guadeloupe : ce que les porteurs de projet demandent le plus",
     "Après deux promotions, les besoins qui reviennent le plus chez Kréyol Innovation : "
     "l'accès au premier financement bancaire, la logistique inter-îles et la mise en "
     "réseau avec la métropole.\n\n"
     "Si des incubateurs de l'Hexagone veulent monter des binômes, je suis preneuse !",
     {"domain": ["developpement-eco", "emploi"], "region": ["GUA"], "sdg": ["8", "9"]}),
    ("logement", "Gaëlle Hoarau", "Outre-mer", "discussion",
     "Logement d'urgence à La Réunion : un partenariat bailleurs–associations",
     "Avec deux bailleurs sociaux, nous avons ouvert 12 logements « passerelle » pour des "
     "familles en sortie d'hébergement d'urgence. La clé : un accompagnement social financé "
     "dès le départ, et une commission mensuelle où chacun vient avec ses situations "
     "bloquées.",
     {"domain": ["logement", "pauvrete"], "region": ["LRE"], "sdg": ["1", "11"]}),
    ("etude", "Nathalie Rousseau", "", "discussion",
     "Étude : ce que les catalyseurs disent de leur métier",
     "Le laboratoire de recherche partenaire a mené 40 entretiens avec des membres du réseau. "
     "Premiers résultats : le métier se définit d'abord par la **posture de tiers de "
     "confiance**, bien plus que par les outils.\n\n"
     "@Vincent Morel, pourriez-vous partager la grille d'entretien que vous aviez proposée ?",
     {"sdg": ["17"]}),
    ("energie", "Inès Mercier", "", "discussion",
     "Communautés énergétiques citoyennes : on cherche des territoires pilotes",
     "Le collectif Énergies citoyennes prépare un programme d'accompagnement de communautés "
     "énergétiques (toitures solaires partagées, autoconsommation collective). Nous "
     "cherchons trois territoires pilotes, dont un insulaire.\n\n"
     "@Jean-Baptiste Santini, la Corse serait-elle partante ?",
     {"domain": ["transition-energetique", "environnement"], "sdg": ["7", "13"]}),
    ("facteurs", "Camille Fontaine", "Mobilités rurales", "discussion",
     "Facteurs et lien social : des visites régulières aux aînés isolés",
     "Dans trois départements, des facteurs rendent visite chaque semaine à des personnes "
     "âgées isolées, en lien avec les CCAS. Les visites déclenchent souvent d'autres aides "
     "(portage de repas, transport solidaire).",
     {"domain": ["vieillissement", "lien-social"], "region": ["PDL"], "sdg": ["3", "10"]}),
    ("webinaire-cae", "Karim Haddad", "Emploi et insertion", "discussion",
     "Webinaire : entreprendre depuis les quartiers avec une coopérative d'activités",
     "Mardi 3 mars à 11 h, nous présentons comment une coopérative d'activités et d'emploi "
     "sécurise les premiers pas d'entrepreneurs des quartiers prioritaires (statut "
     "d'entrepreneur-salarié, mutualisation, accompagnement). Questions bienvenues ici "
     "avant le webinaire.",
     {"domain": ["emploi", "developpement-eco"], "region": ["PAC"], "sdg": ["8"]}),
    ("codev", "Aïcha Diallo", "", "discussion",
     "Codéveloppement : la participation des habitants dans les régies de quartier",
     "Je cherche 4 à 6 pairs pour un groupe de codéveloppement en ligne sur une difficulté "
     "concrète : faire entrer davantage d'habitants dans la gouvernance de nos régies. "
     "Trois séances de deux heures en avril. Qui est partant·e ?",
     {"domain": ["lien-social", "pauvrete"], "sdg": ["11", "16"]}),
    ("clauses", "Julien Moreau", "Emploi et insertion", "discussion",
     "Clauses sociales dans les marchés publics : notre guide pratique",
     "Au Grand Poitiers, les clauses d'insertion ont représenté 85 000 heures de travail "
     "l'an dernier. Nous avons rédigé un guide pour les acheteurs des petites communes : "
     "comment calibrer la clause, qui appeler, comment suivre les heures.",
     {"domain": ["emploi", "developpement-eco"], "region": ["NAQ"], "sdg": ["8", "12"]}),
    ("mediation", "Samuel Da Silva", "Outre-mer", "discussion",
     "Médiation scolaire à Cayenne : un an d'expérimentation",
     "Quatre médiateurs recrutés dans les quartiers interviennent dans deux collèges. "
     "L'absentéisme a reculé d'un tiers dans les classes suivies. Le plus dur : stabiliser "
     "le financement au-delà de l'expérimentation.",
     {"domain": ["education", "securite"], "region": ["GUF"], "sdg": ["4", "16"]}),
    ("centre-social", "Marie-Laure Vasseur", "Tiers-lieux et lieux partagés", "discussion",
     "Centre social et tiers-lieu : cohabiter sans se concurrencer",
     "Un tiers-lieu s'installe à 300 m de notre centre social. Plutôt que de nous regarder "
     "en chiens de faïence, nous avons écrit ensemble une charte de complémentarité : "
     "qui accueille quoi, quels publics, quels horaires.",
     {"domain": ["lien-social", "culture"], "region": ["HDF"]}),
    ("covoiturage", "Chloé Nguyen", "Mobilités rurales", "discussion",
     "Covoiturage domicile-travail : les entreprises de la zone industrielle embarquent",
     "Sept entreprises de la zone de Bassens financent désormais un bonus covoiturage pour "
     "leurs salariés. 210 trajets par jour après six mois, dont un tiers de personnes qui "
     "venaient seules en voiture.",
     {"domain": ["mobilite", "transition-energetique"], "region": ["NAQ"], "sdg": ["11", "13"]}),
    ("stagiaires", "François Giraud", "Emploi et insertion", "discussion",
     "Entreprise adaptée : accueillir des stagiaires d'autres structures",
     "Nous ouvrons nos ateliers à des stagiaires de chantiers d'insertion pour des périodes "
     "de mise en situation de deux semaines. Si vous accompagnez des personnes en situation "
     "de handicap qui veulent découvrir la logistique ou la blanchisserie, écrivez-moi.",
     {"domain": ["diversite-handicap", "emploi"], "region": ["NAQ"], "sdg": ["8", "10"]}),
]

# post key, author, body, replying to (index of an earlier comment on the same post)
COMMENTS = [
    ("rencontre", "Hélène Garnier",
     "Un atelier sur le mécénat de compétences serait très utile !", None),
    ("rencontre", "Zaïnaba Ahmed",
     "Est-ce qu'une participation à distance sera possible pour les Outre-mer ?", None),
    ("rencontre", "Claire Dubois",
     "Oui : les séances plénières seront retransmises et un atelier sera animé en ligne.", 1),
    ("tad", "Chloé Nguyen",
     "Chez nous, le fonctionnement tient grâce à trois sources : 30 % de recettes usagers "
     "(1 € le trajet), 40 % de la communauté de communes et 30 % d'employeurs de la zone "
     "d'activité, qui paient un forfait par salarié inscrit. La convention employeurs a été "
     "le plus long à négocier mais elle stabilise tout.", None),
    ("tad", "Jean-Baptiste Santini",
     "En Corse, nous mutualisons le véhicule avec le transport scolaire : il roule pour le "
     "TAD entre les tournées du matin et du soir.", None),
    ("tad", "Sophie Martin",
     "Merci à vous deux ! La piste employeurs me plaît beaucoup, je vais la proposer au "
     "bureau communautaire.", 0),
    ("mecenes", "Karim Haddad",
     "Commencez petit : un mécénat de compétences de quelques jours, puis une visite du "
     "chantier par les dirigeants. L'engagement financier vient après la rencontre.", None),
    ("mecenes", "Bertrand Lambert",
     "Le club d'entreprises inclusives du département peut vous ouvrir des portes, je "
     "vous mets en contact.", None),
    ("tarifs", "Thomas Lefèvre",
     "Nous avons un prix libre avec un montant conseillé affiché : la moyenne payée est "
     "au-dessus du montant conseillé !", None),
    ("plan-climat", "Inès Mercier",
     "Oui, à Grenoble le collectif a siégé au comité de pilotage. Ça a permis d'inscrire "
     "deux centrales villageoises dans le plan.", None),
    ("tzc", "Bertrand Lambert",
     "Je veux bien la grille de suivi, merci ! Le point 3 résonne beaucoup chez nous.", None),
    ("tzc", "Élodie Perrin", "Envoyée par message, Bertrand.", 0),
    ("etude", "Vincent Morel",
     "Avec plaisir, je la dépose dans l'espace documentaire dès qu'il ouvre.", None),
    ("energie", "Jean-Baptiste Santini",
     "Très intéressé ! Deux communes de Balagne réfléchissent déjà à l'autoconsommation "
     "collective.", None),
    ("codev", "Émilie Faure", "Partante pour avril, nous avons exactement ce sujet.", None),
    ("codev", "Lucas Bernard", "Moi aussi, côté ville de Tours.", None),
]

# post key, reactions: (member, kind)
REACTIONS_DEMO = {
    "rencontre": [("Sophie Martin", "bravo"), ("Karim Haddad", "bravo"),
                  ("Élodie Perrin", "merci"), ("Inès Mercier", "bravo")],
    "bienvenue": [("Claire Dubois", "merci"), ("Manon Robin", "merci")],
    "tad": [("Camille Fontaine", "soutien"), ("Julien Moreau", "idee")],
    "plan-climat": [("Nathalie Rousseau", "bravo"), ("Inès Mercier", "idee")],
    "tzc": [("Bertrand Lambert", "merci"), ("Julien Moreau", "bravo"),
            ("Aïcha Diallo", "bravo")],
    "velo": [("Chloé Nguyen", "idee"), ("Manon Robin", "bravo")],
    "logement": [("Rodrigue Joseph-Angélique", "soutien"), ("Aïcha Diallo", "merci")],
    "codev": [("Mehdi Benali", "soutien")],
    "covoiturage": [("Sophie Martin", "idee"), ("Yannick Le Goff", "bravo")],
}
MARKER_TITLE = POSTS[0][4]


def _mentions(text: str, users: dict[str, User]) -> str:
    for name, user in users.items():
        text = text.replace(f"@{name}", f"@[{name}]({user.id})")
    return text


def load_demo_walls() -> int:
    """Create the demo walls and posts that do not exist yet. Returns the posts created.

    Uses the walls services, as members would (feed, mentions and reactions included);
    dates are then spread over the last three weeks so the walls read naturally.
    """
    general = walls.do_ensure_general_wall()
    users = {name: db.session.scalar(select(User).where(User.email == demo_email(name)))
             for name, *_rest in PEOPLE}
    moderator = users["Mehdi Benali"]
    existing = {w.name: w for w in walls.walls_for(moderator)}
    by_name = {"": general}
    for name, description in WALLS:
        wall = existing.get(name) or walls.check_create_wall(moderator, name, description)
        by_name[name] = wall
    if db.session.scalar(select(Post.id).where(Post.title == MARKER_TITLE).limit(1)):
        return 0

    now = utcnow()
    posts: dict[str, Post] = {}
    for n, (key, author, wall, kind, title, body, tags) in enumerate(POSTS):
        post = walls.check_create_post(users[author], by_name[wall], body=_mentions(body, users),
                                       title=title, kind=kind, tags=tags)
        post.created_at = post.last_activity_at = now - timedelta(days=len(POSTS) - n,
                                                                  hours=(7 * n) % 9)
        posts[key] = post
    posts["rencontre"].pinned_at = now
    comments: dict[str, list[Comment]] = {}
    for key, author, body, parent in COMMENTS:
        post = posts[key]
        thread = comments.setdefault(key, [])
        parent_id = thread[parent].id if parent is not None else None
        comment = walls.check_create_comment(
            users[author], walls.access_post(users[author], post.id), _mentions(body, users),
            parent_id)
        comment.created_at = post.created_at + timedelta(hours=2 + 3 * len(thread))
        post.last_activity_at = comment.created_at
        thread.append(comment)
    walls.check_accept_answer(users["Sophie Martin"],
                              walls.access_post(users["Sophie Martin"], posts["tad"].id),
                              comments["tad"][0].id)
    for key, reactions in REACTIONS_DEMO.items():
        for name, kind in reactions:
            walls.check_toggle_reaction(users[name], "post", posts[key].id, kind)
    for name in ("Sophie Martin", "Hélène Garnier", "Mehdi Benali"):
        walls.check_follow(users[name], "wall", general.id, True)
    return len(posts)


# Chat ----------------------------------------------------------------------------------------
# Three public channels, a private one and two conversations, with messages as members would
# write them. Each message has a fixed client id ("demo-…"): sending it again finds it, so
# running the demo twice adds nothing.

CHANNELS = [
    # name, kind, topic, creator, members
    ("Accueil", "public", "Présentez-vous, posez vos questions sur la plateforme.",
     "Mehdi Benali", ["Claire Dubois", "Sophie Martin", "Hélène Garnier", "Karim Haddad",
                      "Laetitia Célestine", "Manon Robin", "Thomas Lefèvre", "Inès Mercier"]),
    ("Tiers-lieux", "public", "Animer un lieu, son modèle économique, sa communauté.",
     "Manon Robin", ["Thomas Lefèvre", "Marie-Laure Vasseur", "Mehdi Benali",
                     "Laetitia Célestine"]),
    ("Mobilités", "public", "Transport à la demande, covoiturage, mobilité solidaire.",
     "Sophie Martin", ["Chloé Nguyen", "Camille Fontaine", "Jean-Baptiste Santini",
                       "Élodie Perrin"]),
    ("Comité d'animation", "private", "Préparation de la Rencontre annuelle et des webinaires.",
     "Claire Dubois", ["Mehdi Benali", "Nathalie Rousseau", "Aïcha Diallo"]),
]

DIRECTS = [
    ("tad", ["Sophie Martin", "Chloé Nguyen"]),
    ("codev", ["Aïcha Diallo", "Émilie Faure", "Lucas Bernard"]),
]

# channel name or conversation key, author, text
CHAT_MESSAGES = [
    ("Accueil", "Mehdi Benali", "Bienvenue dans le chat du réseau ! Ici on échange en direct : "
     "présentez-vous en quelques mots, et n'hésitez pas à poser vos questions sur la "
     "plateforme."),
    ("Accueil", "Laetitia Célestine", "Bonjour à toutes et tous ! Laetitia, je dirige "
     "l'incubateur Kréyol Innovation en Guadeloupe. Ravie de vous retrouver ici."),
    ("Accueil", "Karim Haddad", "Bonjour ! Karim, coopérative d'activités à Marseille. "
     "Je cherche des retours sur l'accompagnement d'entrepreneurs des quartiers."),
    ("Accueil", "Sophie Martin", "Bienvenue @Laetitia Célestine ! On avait échangé à la "
     "Rencontre de Nantes, je crois ?"),
    ("Accueil", "Laetitia Célestine", "Oui, à l'atelier sur l'incubation rurale 🙂"),
    ("Accueil", "Hélène Garnier", "Petite question pratique : est-ce qu'on peut créer un salon "
     "privé pour un groupe de travail ?"),
    ("Accueil", "Mehdi Benali", "Oui @Hélène Garnier : « Nouveau salon » sur la page Chat, "
     "choisissez **Privé**, puis invitez les membres depuis le salon."),
    ("Accueil", "Hélène Garnier", "Parfait, merci !"),
    ("Accueil", "Claire Dubois", "Rappel : le webinaire sur les clauses sociales a lieu jeudi "
     "à 11 h. Le lien est dans l'annonce du mur général."),
    ("Accueil", "Inès Mercier", "Je serai là. Est-ce qu'il sera enregistré ?"),
    ("Accueil", "Claire Dubois", "Oui, la vidéo sera déposée dans l'espace documentaire."),
    ("Tiers-lieux", "Manon Robin", "On lance un coworking au Grenier numérique. Vous faites "
     "payer les permanences associatives ou pas ?"),
    ("Tiers-lieux", "Thomas Lefèvre", "Chez nous, les associations adhérentes ont une demi-"
     "journée gratuite par semaine, le reste au prix libre."),
    ("Tiers-lieux", "Marie-Laure Vasseur", "Au centre social on a fait pareil, avec une "
     "convention d'un an renouvelable. Ça évite les malentendus."),
    ("Tiers-lieux", "Manon Robin", "Merci ! Vous auriez un modèle de convention à partager ?"),
    ("Tiers-lieux", "Marie-Laure Vasseur", "Je vous l'envoie, @Manon Robin."),
    ("Tiers-lieux", "Laetitia Célestine", "Intéressée aussi, on ouvre un lieu à Pointe-à-Pitre "
     "en septembre."),
    ("Tiers-lieux", "Mehdi Benali", "Je propose qu'on en fasse un atelier à la Rencontre "
     "annuelle : *modèles économiques des tiers-lieux*."),
    ("Mobilités", "Sophie Martin", "Le bureau communautaire valide le transport à la demande : "
     "on démarre en janvier sur 12 communes !"),
    ("Mobilités", "Chloé Nguyen", "Bravo ! Vous partez sur quel outil de réservation ?"),
    ("Mobilités", "Sophie Martin", "Réservation par téléphone d'abord, l'application ensuite. "
     "Beaucoup d'usagers n'ont pas de smartphone."),
    ("Mobilités", "Jean-Baptiste Santini", "Très juste. En Corse, 70 % des réservations se font "
     "encore par téléphone après deux ans."),
    ("Mobilités", "Camille Fontaine", "Les facteurs peuvent aider à faire connaître le service "
     "auprès des aînés, si ça vous intéresse."),
    ("Mobilités", "Sophie Martin", "Oh oui, @Camille Fontaine, parlons-en !"),
    ("Mobilités", "Élodie Perrin", "À Besançon on a couplé le TAD avec les horaires de la "
     "Maison de l'emploi : les rendez-vous sont calés sur les passages."),
    ("Comité d'animation", "Claire Dubois", "Point Rencontre annuelle : la salle de Lyon est "
     "confirmée pour les 11 et 12 juin."),
    ("Comité d'animation", "Nathalie Rousseau", "Super. Je présenterai les premiers résultats "
     "de l'étude sur le métier le jeudi matin."),
    ("Comité d'animation", "Aïcha Diallo", "Je peux animer un atelier de codéveloppement en "
     "parallèle."),
    ("Comité d'animation", "Mehdi Benali", "Je m'occupe de la retransmission pour les "
     "Outre-mer."),
    ("Comité d'animation", "Claire Dubois", "Merci à vous trois. Prochaine réunion mardi 14 h."),
    ("tad", "Chloé Nguyen", "Bonjour Sophie, je t'envoie la convention employeurs dont je "
     "parlais sur le mur."),
    ("tad", "Sophie Martin", "Merci beaucoup ! Combien d'entreprises l'ont signée chez vous ?"),
    ("tad", "Chloé Nguyen", "Sept au départ, douze aujourd'hui. Le forfait est de 15 € par "
     "salarié inscrit et par mois."),
    ("tad", "Sophie Martin", "C'est très raisonnable. Je le présente au club d'entreprises "
     "la semaine prochaine."),
    ("tad", "Chloé Nguyen", "Tiens-moi au courant, et bon courage !"),
    ("codev", "Aïcha Diallo", "Merci d'avoir répondu pour le groupe de codéveloppement ! "
     "Je propose trois mardis d'avril, de 14 h à 16 h."),
    ("codev", "Émilie Faure", "Ça me va. Je peux être la « cliente » de la première séance."),
    ("codev", "Lucas Bernard", "Parfait pour moi aussi. Je prendrai le rôle de "
     "facilitateur la deuxième fois."),
    ("codev", "Aïcha Diallo", "Top. J'envoie l'invitation avec les six phases en rappel."),
    ("codev", "Émilie Faure", "Merci Aïcha !"),
]


def load_demo_chat() -> int:
    """Create the demo channels, conversations and messages that do not exist yet.
    Returns how many messages were created."""
    users = {name: db.session.scalar(select(User).where(User.email == demo_email(name)))
             for name, *_rest in PEOPLE}
    places: dict[str, Channel] = {}
    for name, kind, topic, creator, members in CHANNELS:
        channel = db.session.scalar(select(Channel).where(Channel.name == name,
                                                          Channel.kind == kind))
        if channel is None:
            channel = chat.check_create_channel(users[creator], name, topic, kind)
        for member in members:
            chat.do_add_member(channel, users[member], announce=False)
        places[name] = channel
    for key, names in DIRECTS:
        places[key] = chat.check_open_direct(users[names[0]], [users[n].id for n in names[1:]])
    now = utcnow()
    created = 0
    for n, (place, author, text) in enumerate(CHAT_MESSAGES):
        sent = chat.check_send(users[author], places[place].id, _mentions(text, users),
                               f"demo-{n:03d}-{re.sub('[^a-z0-9]+', '-', fold(place))[:20]}")
        if sent.created:
            sent.message.created_at = now - timedelta(hours=2 * (len(CHAT_MESSAGES) - n))
            created += 1
    return created
