"""Forms of the agenda. Fields only parse; the services validate.

A date or a number the field cannot even read is the one error a field reports itself:
the fields below say it in French (WTForms' own message would be English, or worded for
developers), and the co-development forms use them too.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from ..forms import BaseForm
from ..library.forms import ACCEPT

# What a date-and-time input sends (seconds when the browser adds them).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
BAD_DATETIME = _l("Date et heure non reconnues : choisissez-les dans le calendrier ou "
                  "écrivez-les sous la forme 2026-03-20T14:30.")
BAD_NUMBER = _l("Écrivez un nombre entier, en chiffres (par exemple 12).")


class FrenchParsing:
    """Mixed into a field: its "cannot read this value" error becomes `unreadable`."""

    def __init__(self, *args, unreadable=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unreadable = unreadable

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.unreadable) from error


class ParisDateTimeField(FrenchParsing, DateTimeLocalField):
    """A date and time typed in Paris time (the services store it in UTC)."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("format", DATETIME_FORMATS)
        kwargs.setdefault("unreadable", BAD_DATETIME)
        super().__init__(label, validators or [Optional()], **kwargs)


class WholeNumberField(FrenchParsing, IntegerField):
    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("unreadable", BAD_NUMBER)
        super().__init__(label, validators or [Optional()], **kwargs)


class EventForm(BaseForm):
    kind = SelectField(_l("Type"), validate_choice=False, default="webinaire")
    title = StringField(_l("Titre"), render_kw={"maxlength": 200, "autocomplete": "off"})
    starts_at = ParisDateTimeField(_l("Début (heure de Paris)"))
    ends_at = ParisDateTimeField(_l("Fin (heure de Paris)"))
    location = StringField(_l("Lieu"), render_kw={"maxlength": 200})
    visio_url = StringField(_l("Lien de visioconférence"),
                            render_kw={"type": "url", "placeholder": "https://"})
    capacity = WholeNumberField(
        _l("Jauge (places ; vide : sans limite)"), render_kw={"min": 1},
        unreadable=_l("La jauge s'écrit en chiffres, sans espace (par exemple 40), ou reste "
                      "vide pour un rendez-vous sans limite."))
    description = TextAreaField(_l("Présentation"), render_kw={"rows": 6, "maxlength": 5000})


class ReplayForm(BaseForm):
    replay_url = StringField(_l("Lien du replay"),
                             render_kw={"type": "url", "placeholder": "https://"})


class DocumentForm(BaseForm):
    """Slides or minutes, filed in the library from the event's page."""

    kind = SelectField(_l("Document"), validate_choice=False, default="slides",
                       choices=[("slides", _l("Supports présentés")),
                                ("minutes", _l("Compte rendu"))])
    title = StringField(_l("Titre dans la bibliothèque (facultatif)"),
                        render_kw={"maxlength": 200, "autocomplete": "off"})
    file = FileField(_l("Fichier"), render_kw={"accept": ACCEPT})


class EmptyForm(BaseForm):
    pass
