"""Moderation pages: reporting (members), the queue, actions, members' sanctions, the log."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..db import transaction
from ..errors import Invalid
from ..extensions import limiter
from ..permissions import can, require
from ..text import safe_path
from ..web import wants_json
from . import services
from .forms import ActionForm, LiftForm, LogFilterForm, ReportForm, SuspendForm, WarnForm

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

# target_type is checked by the services (unknown: 404), not by the URL map.
TARGET = "<target_type>/<int:target_id>"
REPORT_RATE_LIMIT = "20 per hour"
# Endpoints every member reaches; the rest of the blueprint is for moderators.
MEMBER_ENDPOINTS = frozenset({"moderation.report"})


@bp.before_request
def _moderators_only():
    if request.endpoint not in MEMBER_ENDPOINTS:
        require(current_user, "moderation.access")


@bp.app_context_processor
def _menu_badge():
    return {"moderation_badge": lambda: services.open_items_count(current_user)}


@bp.app_template_filter("isodate")
def _isodate(value: str | None) -> str:
    """A date stored as "YYYY-MM-DD" in a log line's data, shown the reader's way."""
    try:
        return format_date(date.fromisoformat(value or ""), "short")
    except ValueError:
        return value or ""


@bp.app_template_global("moderation_action_buttons")
def _action_buttons():
    return services.ACTION_BUTTONS


def _done(message: str, next_url: str | None, default: str):
    if wants_json():
        return jsonify({"ok": True, "message": message})
    flash(message, "success")
    return redirect(safe_path(next_url) or default)


# Reporting -------------------------------------------------------------------------------------

def _report_limit() -> str:
    return current_app.config.get("REPORT_RATE_LIMIT", REPORT_RATE_LIMIT)


def _reporter_key() -> str:
    user_id = getattr(current_user, "id", None)
    return f"report:{user_id}" if user_id else f"report-ip:{get_remote_address()}"


@bp.post(f"/signaler/{TARGET}")
@limiter.limit(_report_limit, key_func=_reporter_key)
def report(target_type: str, target_id: int):
    form = ReportForm()
    with transaction():
        services.check_report(current_user, target_type, target_id, form.reason.data,
                              form.text.data)
    return _done(_("Merci, l'équipe d'animation va examiner ce signalement."),
                 form.next.data, url_for("core.home"))


# The queue -------------------------------------------------------------------------------------

TABS = ("signalements", "attente")


@bp.get("")
def queue():
    tab = request.args.get("onglet", TABS[0])
    if tab not in TABS:
        tab = TABS[0]
    page = None
    if tab == "signalements":
        page = services.report_queue(current_user, before_id=request.args.get("avant", type=int))
    pending = services.pending_posts(current_user)
    return render_template(
        "moderation/queue.html", tab=tab, page=page, pending=pending,
        open_count=services.open_report_count(current_user),
        walls=services.walls_for_move(current_user),
        labels=services.REPORT_REASON_LABELS,
        next_url=request.full_path if request.query_string else request.path)


@bp.route(f"/{TARGET}/<action>", methods=["GET", "POST"])
def act(target_type: str, target_id: int, action: str):
    """POST: apply an action; GET (and a refused POST): the action's own confirmation form."""
    form = ActionForm()
    if request.method == "POST":
        try:
            with transaction():
                services.check_act(current_user, target_type, target_id, action,
                                   reason=form.reason.data, wall_id=form.wall_id.data)
        except Invalid as error:
            if wants_json():
                raise
            form.add_error(error)
            return _action_page(target_type, target_id, action, form, 400)
        return _done(_("C'est fait : %(action)s.",
                       action=services.ACTION_BUTTONS[action].lower()),
                     form.next.data, url_for("moderation.queue"))
    form.next.data = request.args.get("next")
    return _action_page(target_type, target_id, action, form, 200)


def _action_page(target_type: str, target_id: int, action: str, form: ActionForm,
                 status: int):
    target = services.action_target_for_display(current_user, target_type, target_id, action)
    report = services.open_report(target_type, target.id)
    form.next.data = safe_path(form.next.data) or ""
    return render_template(
        "moderation/act.html", target=target, target_type=target_type, action=action,
        form=form, report=report, walls=services.walls_for_move(current_user),
        buttons=services.ACTION_BUTTONS, required=services.REASON_REQUIRED), status


# Members -------------------------------------------------------------------------------------

@bp.get("/membres/<int:user_id>")
def member(user_id: int):
    member = services.access_member(current_user, user_id)
    return _member_page(member)


def _member_page(member, warn_form=None, suspend_form=None, lift_form=None, status=200):
    record = services.member_record(current_user, member)
    return render_template(
        "moderation/member.html", record=record, member=member,
        warn_form=warn_form or WarnForm(), suspend_form=suspend_form or SuspendForm(),
        lift_form=lift_form or LiftForm(), labels=services.ACTION_LABELS,
        may_sanction=can(current_user, "member.sanction", member)), status


def _sanction(user_id: int, form, apply, message: str, form_name: str):
    member = services.access_member(current_user, user_id)
    try:
        with transaction():
            apply(member, form)
    except Invalid as error:
        form.add_error(error)
        member = services.access_member(current_user, user_id)
        return _member_page(member, status=400, **{form_name: form})
    flash(message, "success")
    return redirect(url_for("moderation.member", user_id=user_id))


@bp.post("/membres/<int:user_id>/avertir")
def warn(user_id: int):
    return _sanction(
        user_id, WarnForm(),
        lambda member, form: services.check_warn(current_user, member, form.reason.data),
        _("Avertissement envoyé."), "warn_form")


@bp.post("/membres/<int:user_id>/suspendre")
def suspend(user_id: int):
    form = SuspendForm()
    if form.until.raw_data and form.until.raw_data[0] and form.until.data is None:
        form.until.errors = [_("Date invalide.")]
        member = services.access_member(current_user, user_id)
        return _member_page(member, suspend_form=form, status=400)
    return _sanction(
        user_id, form,
        lambda member, f: services.check_suspend(current_user, member, f.until.data,
                                                 f.reason.data),
        _("Compte suspendu : ses sessions sont fermées."), "suspend_form")


@bp.post("/membres/<int:user_id>/retablir")
def lift(user_id: int):
    return _sanction(
        user_id, LiftForm(),
        lambda member, form: services.check_lift_suspension(current_user, member,
                                                            form.reason.data),
        _("Suspension levée."), "lift_form")


# The log ---------------------------------------------------------------------------------------

@bp.get("/journal")
def log():
    moderators = services.moderators()
    form = LogFilterForm(request.args).load_choices(moderators)
    action = form.action.data if form.action.data in services.ACTION_LABELS else ""
    actor_id = request.args.get("moderateur", type=int)
    filters = services.LogFilters(
        action=action, actor_id=actor_id, member_id=form.membre.data,
        since=form.du.data, until=form.au.data)
    page = services.log_page(current_user, filters,
                             before_id=request.args.get("avant", type=int))
    member = None
    if filters.member_id:
        member = next((u for r in page.rows for u in (r.target_user,)
                       if u is not None and u.id == filters.member_id), None)
    return render_template("moderation/log.html", form=form, page=page, filters=filters,
                           labels=services.ACTION_LABELS, filtered_member=member)
