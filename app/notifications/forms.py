from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..forms import BaseForm
from .models import DELIVERY, NOTIFICATION_KINDS

DELIVERY_LABELS = {
    "inapp": _l("Dans la plateforme seulement"),
    "email": _l("E-mail immédiat"),
    "digest": _l("Synthèse quotidienne"),
    "off": _l("Désactivé"),
}

KIND_LABELS = {
    "mention": _l("Quand un membre me mentionne"),
    "reply": _l("Réponses à mes messages et commentaires"),
    "reaction": _l("Réactions à mes messages"),
    "accepted_answer": _l("Ma réponse est retenue"),
    "moderation": _l("Décisions de modération sur mes contenus et documents"),
    "project": _l("Mes projets : demandes, invitations, actions qui me sont confiées"),
    "event": _l("Agenda et codéveloppement : invitations et rappels"),
}

# Short names shown next to each notification in the centre.
KIND_SHORT_LABELS = {
    "mention": _l("Mention"),
    "reply": _l("Réponse"),
    "reaction": _l("Réaction"),
    "accepted_answer": _l("Réponse retenue"),
    "moderation": _l("Modération"),
    "project": _l("Projet"),
    "event": _l("Agenda"),
}

# Field names are "pref-<kind>": the view hands every submitted "pref-*" value to the
# service, which refuses unknown kinds and deliveries (one place validates).
PREFIX = "pref"


def _delivery_field(kind: str) -> SelectField:
    return SelectField(KIND_LABELS[kind], choices=[(d, DELIVERY_LABELS[d]) for d in DELIVERY],
                       validate_choice=False)


class PreferencesForm(BaseForm):
    mention = _delivery_field("mention")
    reply = _delivery_field("reply")
    reaction = _delivery_field("reaction")
    accepted_answer = _delivery_field("accepted_answer")
    moderation = _delivery_field("moderation")
    project = _delivery_field("project")
    event = _delivery_field("event")

    def kind_fields(self):
        return [getattr(self, kind) for kind in NOTIFICATION_KINDS]

    @staticmethod
    def submitted(formdata) -> dict[str, str]:
        """Every "pref-<kind>" value posted, known kinds or not."""
        start = PREFIX + "-"
        return {key[len(start):]: value for key, value in formdata.items()
                if key.startswith(start) and not key.endswith("csrf_token")}
