"""Co-development pages: parse the request, call a service, render.

The session room is one page: server-rendered with the current state (readable without
JavaScript), made live by static/js/codev.js over Socket.IO (docs/realtime.md). Everything
private answers 404 to members who do not take part.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import transaction, valid_id
from ..errors import Invalid
from ..members.services import member_choices
from . import services
from .forms import (
    CONFIDENTIALITY_LABELS,
    DurationsForm,
    EmptyForm,
    ScheduleForm,
    add_duration_fields,
)

bp = Blueprint("codev", __name__, url_prefix="/codeveloppement")

SESSION = "<int(max=2147483647):session_id>"
MEMBER = "<int(max=2147483647):user_id>"


def _durations(form, phases) -> dict[str, object]:
    values = {}
    for phase in phases:
        value = getattr(form, f"duration_{phase.code}").data
        if value is not None:
            values[phase.code] = value
    return values


@bp.get("/")
def index():
    before = request.args.get("avant", type=int)
    lists = services.session_lists(current_user, before if valid_id(before) else None)
    return render_template("codev/index.html", lists=lists, ROLE_LABELS=services.ROLE_LABELS,
                           STATUS_LABELS=services.STATUS_LABELS)


def _schedule_form(phases, formdata=True):
    form_class = add_duration_fields(ScheduleForm, phases)
    form = form_class() if formdata else form_class(formdata=None)
    choices = member_choices({current_user.id})
    form.client_id.choices = [(0, _("— Choisir —")), *choices]
    form.consultant_ids.choices = choices
    return form


@bp.route("/nouvelle", methods=["GET", "POST"])
def schedule():
    phases = services.phases()
    form = _schedule_form(phases, formdata=request.method == "POST")
    if request.method == "POST" and form.validate_on_submit():
        try:
            with transaction():
                session = services.check_schedule(current_user, services.SessionData(
                    subject=form.subject.data or "", scheduled_at=form.scheduled_at.data,
                    visio_url=form.visio_url.data or "", client_id=form.client_id.data or 0,
                    consultant_ids=list(form.consultant_ids.data or []),
                    confidentiality=form.confidentiality.data,
                    open_to_requests=bool(form.open_to_requests.data),
                    durations=_durations(form, phases)))
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("La session est programmée ; les participant·es sont invité·es."),
                  "success")
            return redirect(url_for("codev.session", session_id=session.id))
    status = 400 if request.method == "POST" else 200
    return render_template("codev/schedule.html", form=form, phases=phases), status


@bp.get(f"/{SESSION}")
def session(session_id: int):
    access = services.access_card(current_user, session_id)
    page = services.room_page(current_user, access)
    if page is None:
        return render_template("codev/card.html", access=access, form=EmptyForm())
    return _room(page)


def _room(page: services.RoomPage, durations_form=None, status: int = 200):
    """The session's page; `durations_form`: the facilitator's form, as they typed it."""
    if durations_form is None and page.durations is not None:
        durations_form = add_duration_fields(DurationsForm, page.phases)(formdata=None)
        for code, minutes in page.durations.items():
            getattr(durations_form, f"duration_{code}").data = minutes
    return render_template(
        "codev/session.html", access=page.access, state=page.state, phases=page.phases,
        remaining=page.remaining, requests=page.requests,
        durations_form=durations_form, form=EmptyForm(), ROLE_LABELS=services.ROLE_LABELS,
        STATUS_LABELS=services.STATUS_LABELS, CONFIDENTIALITY_LABELS=CONFIDENTIALITY_LABELS,
        status_labels={k: str(v) for k, v in services.STATUS_LABELS.items()}), status


@bp.post(f"/{SESSION}/demande")
def request_join(session_id: int):
    with transaction():
        services.check_request_join(current_user, session_id)
    flash(_("Votre demande est transmise à l'animateur·rice."), "success")
    return redirect(url_for("codev.session", session_id=session_id))


@bp.post(f"/{SESSION}/demandes/{MEMBER}")
def answer_request(session_id: int, user_id: int):
    accept = request.form.get("reponse") == "accepter"
    try:
        with transaction():
            services.check_answer_request(current_user, session_id, user_id, accept)
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("Demande acceptée.") if accept else _("Demande refusée."), "success")
    return redirect(url_for("codev.session", session_id=session_id))


@bp.post(f"/{SESSION}/retrait")
def decline(session_id: int):
    try:
        with transaction():
            services.check_decline(current_user, session_id)
    except Invalid as error:
        flash(error.message, "error")
        return redirect(url_for("codev.session", session_id=session_id))
    flash(_("Vous vous êtes retiré·e de la session."), "success")
    return redirect(url_for("codev.index"))


@bp.post(f"/{SESSION}/durees")
def set_durations(session_id: int):
    """A duration the form cannot read, or the service refuses, shows the page again with
    the facilitator's figures and the message next to the phase."""
    phases = services.phases()
    form = add_duration_fields(DurationsForm, phases)()
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_set_durations(current_user, session_id,
                                             _durations(form, phases))
        except Invalid as error:
            if not error.field:
                flash(error.message, "error")
                return redirect(url_for("codev.session", session_id=session_id))
            form.add_error(error)
        else:
            flash(_("Durées enregistrées."), "success")
            return redirect(url_for("codev.session", session_id=session_id))
    try:
        access = services.access_durations(current_user, session_id)
    except Invalid as error:
        flash(error.message, "error")
        return redirect(url_for("codev.session", session_id=session_id))
    return _room(services.room_page(current_user, access), durations_form=form, status=400)


@bp.post(f"/{SESSION}/annulation")
def cancel(session_id: int):
    try:
        with transaction():
            services.check_cancel(current_user, session_id)
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("La session est annulée ; les participant·es sont prévenu·es."), "success")
    return redirect(url_for("codev.session", session_id=session_id))


@bp.get(f"/{SESSION}/compte-rendu")
def record(session_id: int):
    page = services.record_page(current_user, session_id)
    return render_template("codev/record.html", access=page.access, record=page.record,
                           form=EmptyForm(), led_projects=page.led_projects,
                           action_items=page.action_items)


@bp.post(f"/{SESSION}/compte-rendu/publication")
def publish_record(session_id: int):
    try:
        with transaction():
            services.check_publish_record(current_user, session_id)
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("La version anonymisée est proposée à la bibliothèque ; l'équipe d'animation "
                "la relira avant publication."), "success")
    return redirect(url_for("codev.record", session_id=session_id))


@bp.post(f"/{SESSION}/compte-rendu/actions")
def export_actions(session_id: int):
    """The items the client ticked (none ticked: refused with a message)."""
    project_id = request.form.get("project_id", type=int) or 0
    item_ids = [i for i in request.form.getlist("items", type=int) if valid_id(i)]
    try:
        with transaction():
            count = services.check_export_actions(current_user, session_id, project_id,
                                                  item_ids)
    except Invalid as error:
        flash(error.message, "error")
    else:
        if count:
            flash(_("%(n)d actions ajoutées au projet.", n=count), "success")
        else:
            flash(_("Ces actions sont déjà dans le projet : rien n'a été ajouté."), "info")
    return redirect(url_for("codev.record", session_id=session_id))


@bp.get(f"/{SESSION}/compte-rendu.md")
def record_download(session_id: int):
    name, body = services.record_file(current_user, session_id,
                                      anonymised=request.args.get("version") == "anonyme")
    return Response(body.encode("utf-8"), mimetype="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
