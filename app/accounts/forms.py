from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..forms import BaseForm
from .models import ROLES
from .services import EMAIL_MAX, NAME_MAX, PASSWORD_MAX

ROLE_LABELS = {"member": _l("Membre"), "moderator": _l("Animateur·rice"),
               "admin": _l("Administrateur·rice")}
STATUS_LABELS = {"active": _l("Actif"), "suspended": _l("Suspendu")}


NEW_PASSWORD = {"autocomplete": "new-password"}
CURRENT_PASSWORD = {"autocomplete": "current-password"}


def _email_field(label=None):
    return EmailField(label or _l("Adresse e-mail"),
                      validators=[DataRequired(), Length(max=EMAIL_MAX)],
                      render_kw={"autocomplete": "email"})


def _new_password_fields():
    password = PasswordField(_l("Mot de passe"), render_kw=NEW_PASSWORD,
                             validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    confirm = PasswordField(_l("Confirmez le mot de passe"), render_kw=NEW_PASSWORD, validators=[
        DataRequired(), EqualTo("password", message=_l("Les deux mots de passe diffèrent."))])
    return password, confirm


class LoginForm(BaseForm):
    email = _email_field()
    password = PasswordField(_l("Mot de passe"), render_kw=CURRENT_PASSWORD,
                             validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField(_l("Rester connecté·e sur cet appareil"))
    next = HiddenField()


class AcceptInvitationForm(BaseForm):
    display_name = StringField(_l("Prénom et nom"), validators=[DataRequired(),
                               Length(max=NAME_MAX)])
    password, confirm = _new_password_fields()


class ForgotPasswordForm(BaseForm):
    email = _email_field()


class ResetPasswordForm(BaseForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Mot de passe actuel"), render_kw=CURRENT_PASSWORD,
                                     validators=[DataRequired()])
    password, confirm = _new_password_fields()


class ChangeEmailForm(BaseForm):
    email = _email_field(_l("Nouvelle adresse e-mail"))
    password = PasswordField(_l("Mot de passe actuel"), render_kw=CURRENT_PASSWORD,
                             validators=[DataRequired()])


class LanguageForm(BaseForm):
    locale = SelectField(_l("Langue de l'interface"),
                         choices=[("fr", "Français"), ("en", "English")])


class InviteForm(BaseForm):
    email = _email_field()
    role = SelectField(_l("Rôle"), choices=[(r, ROLE_LABELS[r]) for r in ROLES],
                       default="member")


class RoleForm(BaseForm):
    role = SelectField(_l("Rôle"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])


class StatusForm(BaseForm):
    status = SelectField(_l("Statut"), choices=list(STATUS_LABELS.items()))
    reason = StringField(_l("Motif"), validators=[Length(max=1000)])
    # Empty: until an admin or a moderator lifts it.
    until = DateField(_l("Fin de la suspension"), validators=[Optional()])
