"""Forms of the chat. Fields only parse; the services validate (one set of messages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from ..forms import BaseForm

KIND_LABELS = {
    "public": _l("Public : tous les membres peuvent le trouver et le rejoindre"),
    "private": _l("Privé : sur invitation de ses membres"),
}
NOTIFY_LABELS = {
    "all": _l("Chaque nouvelle conversation (le premier message non lu)"),
    "mentions": _l("Seulement quand on me mentionne"),
    "none": _l("Jamais"),
}


class ChannelForm(BaseForm):
    name = StringField(_l("Nom du salon"), render_kw={"maxlength": 80, "autocomplete": "off"})
    topic = StringField(_l("Sujet (facultatif)"), render_kw={"maxlength": 250})
    kind = RadioField(_l("Visibilité"), choices=list(KIND_LABELS.items()), default="public",
                      validate_choice=False)


class MembersField(SelectMultipleField):
    """Member ids; unknown or malformed ones are left to the service (its message)."""

    def process_formdata(self, valuelist):
        self.data = [int(v) for v in valuelist if v.isdigit() and len(v) <= 10]
        self.invalid = len(self.data) != len(valuelist)

    def pre_validate(self, form):
        pass


class DirectForm(BaseForm):
    members = MembersField(_l("Avec qui ? (7 personnes au plus)"), coerce=int,
                           render_kw={"size": 8})


class InviteForm(BaseForm):
    members = MembersField(_l("Inviter des membres"), coerce=int, render_kw={"size": 6})


class PreferencesForm(BaseForm):
    muted = BooleanField(_l("Mettre en sourdine (ni notification, ni compteur global)"))
    notify_level = SelectField(_l("Me notifier"), choices=list(NOTIFY_LABELS.items()),
                               validate_choice=False)


class EditMessageForm(BaseForm):
    body = TextAreaField(_l("Message"), render_kw={"rows": 6, "data-mentions": ""})


class DeleteMessageForm(BaseForm):
    reason = StringField(_l("Motif (communiqué à l'auteur·rice)"),
                         render_kw={"maxlength": 1000})
