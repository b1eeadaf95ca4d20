"""Login, invitations, password reset and the member's own account settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..db import transaction
from ..errors import Invalid, NotFound
from ..extensions import limiter
from ..text import safe_path
from . import services
from .forms import (
    AcceptInvitationForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
)

bp = Blueprint("accounts", __name__)


def _email_key() -> str:
    """Rate-limit key per targeted account, so spreading attempts over IPs does not help."""
    return "account:" + services.normalize_email(request.form.get("email"))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        # One unit of work: logging in may also lift a suspension whose end date has passed.
        with transaction():
            user = services.check_login(form.email.data, form.password.data)
            if user is not None:
                services.do_touch_last_seen(user)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_path(form.next.data) or url_for("core.home"))
        form.form_errors.append(_("Adresse e-mail ou mot de passe incorrect."))
    return render_template("accounts/login.html", form=form)


@bp.post("/deconnexion")
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté·e."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = services.invitation_by_token(token)
    except NotFound:
        return render_template("accounts/invalid_link.html"), 404
    if current_user.is_authenticated:
        logout_user()
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            with transaction():
                user = services.check_accept_invitation(
                    token, form.display_name.data, form.password.data)
        except Invalid as error:
            form.add_error(error)
        except NotFound:
            return render_template("accounts/invalid_link.html"), 404
        else:
            login_user(user)
            flash(_("Bienvenue dans le réseau ! Complétez votre profil pour que vos pairs "
                    "vous trouvent."), "success")
            return redirect(url_for("members.edit_profile"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/mot-de-passe/oubli", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_email_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction():
            services.check_request_password_reset(form.email.data)
        flash(_("Si un compte actif correspond à cette adresse, un lien de réinitialisation "
                "vient d'y être envoyé."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/mot-de-passe/nouveau/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):
    if not services.reset_token_valid(token):
        return render_template("accounts/invalid_link.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_reset_password(token, form.password.data)
        except Invalid as error:
            form.add_error(error)
        except NotFound:
            return render_template("accounts/invalid_link.html"), 404
        else:
            logout_user()
            flash(_("Votre mot de passe a été changé. Vous pouvez vous connecter."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _settings_page(password_form=None, email_form=None, language_form=None, status=200):
    return render_template(
        "accounts/settings.html",
        password_form=password_form or ChangePasswordForm(prefix="pw"),
        email_form=email_form or ChangeEmailForm(prefix="em"),
        language_form=language_form or LanguageForm(prefix="lg", locale=current_user.locale),
    ), status


@bp.get("/compte")
@login_required
def settings():
    return _settings_page()


@bp.post("/compte/mot-de-passe")
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_change_password(current_user, form.current_password.data,
                                               form.password.data)
        except Invalid as error:
            form.add_error(error)
        else:
            # The session token rotated: log this session in again with the new one.
            login_user(current_user._get_current_object())
            flash(_("Mot de passe modifié. Vos autres sessions ont été fermées."), "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(password_form=form, status=400)


@bp.post("/compte/email")
@login_required
def change_email():
    form = ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_request_email_change(current_user, form.password.data,
                                                    form.email.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Un lien de confirmation a été envoyé à la nouvelle adresse. Elle remplacera "
                    "l'actuelle quand vous l'aurez ouvert."), "info")
            return redirect(url_for("accounts.settings"))
    return _settings_page(email_form=form, status=400)


@bp.get("/compte/email/<token>")
def confirm_email(token: str):
    # A write on GET, on purpose: opening the single-use link sent to the new address is
    # the confirmation, as every email-change flow does.
    try:
        with transaction():
            services.check_confirm_email(token)
    except (NotFound, Invalid):
        return render_template("accounts/invalid_link.html"), 404
    flash(_("Votre adresse e-mail a été mise à jour."), "success")
    target = "accounts.settings" if current_user.is_authenticated else "accounts.login"
    return redirect(url_for(target))


@bp.post("/langue")
def set_language():
    form = LanguageForm(prefix="lg")
    locale = form.locale.data if form.validate_on_submit() else "fr"
    if current_user.is_authenticated:
        with transaction():
            services.check_set_locale(current_user, locale)
    back = safe_path(request.form.get("next")) or url_for("core.home")
    response = make_response(redirect(back))
    response.set_cookie("locale", locale, max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
