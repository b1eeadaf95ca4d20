"""Moderation forms. They read and render fields; the services validate (and decide)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import Optional

from ..forms import BaseForm
from .services import ACTION_LABELS, REASON_MAX, REPORT_REASON_LABELS, REPORT_TEXT_MAX


class ReportForm(BaseForm):
    reason = SelectField(_l("Motif du signalement"),
                         choices=[("", _l("Choisissez…"))] + list(REPORT_REASON_LABELS.items()))
    text = TextAreaField(_l("Précisions (facultatif)"),
                         render_kw={"maxlength": REPORT_TEXT_MAX, "rows": 3})
    next = HiddenField()


class ActionForm(BaseForm):
    reason = TextAreaField(_l("Motif"), render_kw={"maxlength": REASON_MAX, "rows": 2})
    wall_id = IntegerField(_l("Mur de destination"), validators=[Optional()])
    next = HiddenField()


class WarnForm(BaseForm):
    reason = TextAreaField(_l("Motif de l'avertissement"),
                           render_kw={"maxlength": REASON_MAX, "rows": 3, "required": True})


class SuspendForm(BaseForm):
    until = DateField(_l("Fin de la suspension"), validators=[Optional()])
    reason = TextAreaField(_l("Motif de la suspension"),
                           render_kw={"maxlength": REASON_MAX, "rows": 3, "required": True})


class LiftForm(BaseForm):
    reason = TextAreaField(_l("Motif (facultatif)"), render_kw={"maxlength": REASON_MAX,
                                                                "rows": 2})


class LogFilterForm(BaseForm):
    """GET filters of the log; unknown values are ignored rather than refused."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[("", _l("Toutes"))] + [
        (key, label) for key, label in ACTION_LABELS.items()], validate_choice=False)
    moderateur = SelectField(_l("Par"), choices=[], validate_choice=False)
    membre = IntegerField(_l("Membre concerné (n°)"), validators=[Optional()])
    du = DateField(_l("Du"), validators=[Optional()])
    au = DateField(_l("Au"), validators=[Optional()])

    def load_choices(self, moderators) -> LogFilterForm:
        self.moderateur.choices = [("", str(_l("Tous")))] + [
            (str(user.id), user.display_name) for user in moderators]
        return self
