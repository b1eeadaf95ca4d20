"""Forms of co-development sessions. Fields only parse (a date or a number they cannot
read gets a French message, see app/agenda/forms.py); the services validate (one set of
French messages), so an invalid form keeps everything the member typed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField

from ..agenda.forms import FrenchParsing, ParisDateTimeField, WholeNumberField
from ..forms import BaseForm

CONFIDENTIALITY_LABELS = {
    "participants": _l("Ce qui est dit reste entre participant·es (le ou la client·e pourra "
                       "publier un compte rendu anonymisé)"),
    "strict": _l("Confidentialité stricte : rien ne sort du groupe, même anonymisé"),
}

BAD_MINUTES = _l("Une durée s'écrit en minutes, par un nombre entier (par exemple 15).")
UNKNOWN_MEMBER = _l("Membre inconnu : choisissez dans la liste.")


class MemberField(FrenchParsing, SelectField):
    pass


class MembersField(FrenchParsing, SelectMultipleField):
    pass


class ScheduleForm(BaseForm):
    subject = StringField(_l("Sujet (en une phrase)"),
                          render_kw={"maxlength": 200, "autocomplete": "off"})
    scheduled_at = ParisDateTimeField(_l("Date et heure (heure de Paris)"))
    visio_url = StringField(_l("Lien de visioconférence"),
                            render_kw={"type": "url", "placeholder": "https://"})
    client_id = MemberField(_l("Client·e (le membre qui apporte sa problématique)"),
                            coerce=int, validate_choice=False, unreadable=UNKNOWN_MEMBER)
    consultant_ids = MembersField(_l("Consultant·es invité·es (3 à 7)"), coerce=int,
                                  validate_choice=False, render_kw={"size": 8},
                                  unreadable=UNKNOWN_MEMBER)
    confidentiality = SelectField(_l("Confidentialité"), validate_choice=False,
                                  default="participants",
                                  choices=list(CONFIDENTIALITY_LABELS.items()))
    open_to_requests = BooleanField(_l("D'autres membres peuvent demander à rejoindre"),
                                    default=True)


def add_duration_fields(form_class: type, phases) -> type:
    """A form class with one minutes field per phase, named `duration_<code>`."""
    attrs = {f"duration_{p.code}": WholeNumberField(p.label, default=p.minutes,
                                                    render_kw={"min": 1, "max": 120},
                                                    unreadable=BAD_MINUTES)
             for p in phases}
    return type(form_class.__name__, (form_class,), attrs)


class DurationsForm(BaseForm):
    pass


class EmptyForm(BaseForm):
    pass
