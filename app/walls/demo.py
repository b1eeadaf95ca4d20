"""Demo walls for `flask seed demo`: thematic walls beside the general one, and about twenty
posts as members would write them — questions (one answered), an announcement, comments,
reactions and mentions. `@Name` in a text becomes a mention of that demo member."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from ..mentions import mention_names
from . import services as walls
from .models import Comment, Post

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


def load_demo_walls(users: dict[str, User]) -> int:
    """Create the demo walls and posts that do not exist yet. Returns the posts created.

    Uses the walls services, as members would (feed, mentions and reactions included);
    dates are then spread over the last three weeks so the walls read naturally.
    """
    general = walls.do_ensure_general_wall()
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
        post = walls.check_create_post(users[author], by_name[wall],
                                       body=mention_names(body, users), title=title, kind=kind,
                                       tags=tags)
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
            users[author], walls.access_post(users[author], post.id), mention_names(body, users),
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
