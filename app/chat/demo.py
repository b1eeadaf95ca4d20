"""Demo chat for `flask seed demo`: three public channels, a private one and two
conversations, with messages as members would write them. Each message has a fixed client id
("demo-…"): sending it again finds it, so running the demo twice adds nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from ..mentions import mention_names
from ..text import fold
from . import services as chat
from .models import Channel

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


def load_demo_chat(users: dict[str, User]) -> int:
    """Create the demo channels, conversations and messages that do not exist yet.
    Returns how many messages were created."""
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
        sent = chat.check_send(users[author], places[place].id, mention_names(text, users),
                               f"demo-{n:03d}-{re.sub('[^a-z0-9]+', '-', fold(place))[:20]}")
        if sent.created:
            sent.message.created_at = now - timedelta(hours=2 * (len(CHAT_MESSAGES) - n))
            created += 1
    return created
