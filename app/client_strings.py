"""The words the browser modules write themselves (live messages, statuses, errors).

They are translated on the server like every other string and handed to the page as a
JSON data block (`client_strings` in templates/base.html); static/js/i18n.js reads them.
Placeholders use Python's %(name)s syntax so the catalogues treat them like the others.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STRINGS = {
    "chat.error.invalid": _l("Ce message n'a pas pu être envoyé : son contenu n'est pas valide."),
    "chat.error.not_found": _l("Ce salon n'existe pas ou ne vous est plus accessible."),
    "chat.error.forbidden": _l("Vous ne pouvez pas écrire dans ce salon."),
    "chat.error.too_long": _l("Votre message est trop long."),
    "chat.error.rate_limited": _l("Vous envoyez beaucoup de messages d'affilée : le suivant "
                                  "partira dans quelques secondes."),
    "chat.error.send": _l("Ce message n'a pas pu être envoyé."),
    "chat.error.delete": _l("Ce message n'a pas pu être supprimé."),
    "chat.error.live": _l("Ce salon n'est pas disponible en direct."),
    "chat.shorten": _l("Raccourcissez-le ou envoyez-le en plusieurs fois."),
    "chat.over_max": _l("Votre message fait %(length)s caractères, le maximum est %(max)s : "
                        "raccourcissez-le ou envoyez-le en plusieurs fois."),
    "chat.presence.online": _l("en ligne"),
    "chat.presence.away": _l("absent"),
    "chat.presence.offline": _l("hors ligne"),
    "chat.new_messages": _l("Nouveaux messages ↓"),
    "chat.deleted": _l("Message supprimé"),
    "chat.edited": _l("modifié"),
    "chat.edited_on": _l("Modifié le %(date)s"),
    "chat.edit": _l("Modifier"),
    "chat.delete": _l("Supprimer"),
    "chat.delete_confirm": _l("Oui, supprimer"),
    "chat.delete_question": _l("Supprimer ce message ? Il disparaîtra pour tous les membres "
                               "du salon."),
    "chat.you": _l("Vous"),
    "chat.sending": _l("envoi…"),
    "chat.offline": _l("Hors connexion : vos messages partiront dès le retour du réseau."),
    "chat.removed": _l("Vous ne faites plus partie de ce salon."),
    "chat.typing.one": _l("%(name)s écrit…"),
    "chat.typing.many": _l("%(first)s et %(last)s écrivent…"),
    "chat.typing.others": _l("%(count)s autres personnes"),
    "chat.unread.one": _l("1 message non lu"),
    "chat.unread.many": _l("%(count)s messages non lus"),
    "walls.new_post": _l("Un nouveau message vient d'arriver."),
    "walls.new_post_titled": _l("Nouveau message : %(title)s"),
    "walls.post_gone": _l("Ce message n'est plus disponible."),
    "walls.post_removed": _l("Un message a été retiré."),
    "walls.new_comment": _l("Nouveau commentaire."),
    "walls.mention_list": _l("Membres à mentionner"),
}


def client_strings() -> dict[str, str]:
    return {key: str(value) for key, value in STRINGS.items()}
