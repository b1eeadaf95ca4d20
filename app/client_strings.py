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
    "library.upload.empty": _l("« %(name)s » est vide."),
    "library.upload.too_big": _l("« %(name)s » dépasse la taille autorisée (%(size)s)."),
    "library.upload.type": _l("« %(name)s » n'est pas d'un type accepté."),
    "library.upload.too_many": _l("Au plus %(n)s fichiers à la fois."),
    "library.upload.none": _l("Choisissez au moins un fichier."),
    "library.upload.sending": _l("Envoi…"),
    "library.upload.sent": _l("Envoyé"),
    "library.upload.waiting": _l("En attente d'envoi"),
    "library.upload.failed": _l("L'envoi a échoué : vérifiez votre connexion et réessayez."),
    "library.upload.remove": _l("Retirer"),
    "library.upload.remove_named": _l("Retirer « %(name)s »"),
    "library.upload.some_failed": _l("Certains fichiers n'ont pas été envoyés : corrigez-les ou "
                                     "retirez-les, puis envoyez à nouveau."),
    # Co-development
    "codev.role.facilitator": _l("Animateur·rice"),
    "codev.role.client": _l("Client·e"),
    "codev.role.consultant": _l("Consultant·e"),
    "codev.overtime": _l("Dépassement"),
    "codev.present": _l("présent·e"),
    "codev.absent": _l("absent·e"),
    "codev.hand": _l("main levée"),
    "codev.raise": _l("Lever la main"),
    "codev.lower": _l("Baisser la main"),
    "codev.lower_for": _l("Baisser la main de %(name)s"),
    "codev.retain": _l("Retenir dans mon plan d'action"),
    "codev.retained": _l("Retenue"),
    "codev.delete": _l("Retirer"),
    "codev.edit": _l("Modifier"),
    "codev.edit_label": _l("Modifier votre texte"),
    "codev.save": _l("Enregistrer"),
    "codev.cancel_edit": _l("Annuler"),
    "codev.none": _l("Rien pour l'instant."),
    "codev.not_started": _l("La session n'a pas commencé."),
    "codev.ended": _l("La session est terminée."),
    "codev.by": _l("par %(name)s"),
    "codev.composer.question": _l("Votre question de clarification"),
    "codev.composer.request": _l("Votre demande reformulée"),
    "codev.composer.suggestion": _l("Votre suggestion (une idée par carte)"),
    "codev.composer.action": _l("Une action de votre plan"),
    "codev.composer.lesson": _l("Ce que vous retenez de cette session"),
    "codev.waiting": _l("Votre rôle ne prévoit pas d'écrire pendant cette phase : écoutez et "
                        "prenez des notes."),
    "codev.offline": _l("Connexion interrompue : reconnexion en cours…"),
}


def client_strings() -> dict[str, str]:
    return {key: str(value) for key, value in STRINGS.items()}
