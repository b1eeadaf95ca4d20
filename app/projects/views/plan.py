"""The project's work plan: its actions and its meetings (with answers, minutes and .ics)."""

from __future__ import annotations

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...db import transaction
from ...errors import Invalid
from ...library import services as library
from ...library.files import read_uploads
from ...permissions import require
from .. import services
from ..forms import (
    ActionFilterForm,
    ActionForm,
    MeetingForm,
    MinutesForm,
)
from .common import (
    ITEM,
    PROJECT,
    bp,
    render_tab,
    upload_limit,
    write_limit,
)

# Actions ---------------------------------------------------------------------------------

def _actions_context(access, form: ActionForm | None = None):
    members = services.members(access)
    filters_form = ActionFilterForm(request.args).load_choices(members)
    form = form or ActionForm()
    form.load_choices(members)
    return {"actions": services.actions(access, filters_form.filters()),
            "filters_form": filters_form, "form": form,
            "ACTION_STATUS_LABELS": services.ACTION_STATUS_LABELS, "members_list": members}


@bp.route(f"{PROJECT}/actions", methods=["GET", "POST"])
@write_limit
def actions(project_id: int):
    access = services.access_project(current_user, project_id)
    form = ActionForm()
    if request.method == "GET":
        return render_tab("actions.html", access, "actions", **_actions_context(access))
    require(current_user, "project.contribute", access)
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_create_action(current_user, access, title=form.title.data,
                                             owner_id=form.owner(), due_on=form.due_on.data,
                                             status=form.status.data or "todo")
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Action ajoutée."), "success")
            return redirect(url_for("projects.actions", project_id=project_id))
    elif form.due_on.errors:
        form.due_on.errors = [_("Date illisible.")]
    return render_tab("actions.html", access, "actions", 400,
                       **_actions_context(access, form))


@bp.get(f"{PROJECT}/actions/liste")
def actions_fragment(project_id: int):
    """The list alone, for live updates (projects.js)."""
    access = services.access_project(current_user, project_id)
    return render_template("projects/_actions.html", access=access, project=access.project,
                           **_actions_context(access))


@bp.post(f"{PROJECT}/actions/{ITEM}")
def update_action(project_id: int, item_id: int):
    access = services.access_project(current_user, project_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_update_action(current_user, access, item_id,
                                             title=form.title.data, owner_id=form.owner(),
                                             due_on=form.due_on.data,
                                             status=form.status.data or "todo")
        except Invalid as error:
            flash(str(error.message), "error")
        else:
            flash(_("Action mise à jour."), "success")
    else:
        flash(_("Action non enregistrée : vérifiez la date."), "error")
    return redirect(url_for("projects.actions", project_id=project_id,
                            _anchor=f"action-{item_id}"))


@bp.post(f"{PROJECT}/actions/{ITEM}/statut")
def action_status(project_id: int, item_id: int):
    access = services.access_project(current_user, project_id)
    with transaction():
        services.check_set_action_status(current_user, access, item_id,
                                         request.form.get("status", ""))
    return redirect(url_for("projects.actions", project_id=project_id,
                            _anchor=f"action-{item_id}"))


@bp.post(f"{PROJECT}/actions/{ITEM}/supprimer")
def delete_action(project_id: int, item_id: int):
    access = services.access_project(current_user, project_id)
    with transaction():
        services.check_delete_action(current_user, access, item_id)
    flash(_("Action supprimée."), "info")
    return redirect(url_for("projects.actions", project_id=project_id))


# Meetings --------------------------------------------------------------------------------

def _render_meetings(access, form: MeetingForm | None = None, status: int = 200,
                     minutes_form: tuple[int, MinutesForm] | None = None):
    page = services.meetings(current_user, access,
                             past_after=request.args.get("passees", type=int))
    # One small form per meeting whose minutes this member may file.
    minutes_forms = {v.meeting.id: MinutesForm.for_meeting(v.meeting.id, formdata=None)
                     for v in page.upcoming + page.past if v.may_file_minutes}
    if minutes_form is not None:
        minutes_forms[minutes_form[0]] = minutes_form[1]
    return render_tab("meetings.html", access, "meetings", status, page=page,
                       form=form or MeetingForm(), minutes_forms=minutes_forms,
                       RSVP_LABELS=services.RSVP_LABELS)


@bp.route(f"{PROJECT}/reunions", methods=["GET", "POST"])
@write_limit
def meetings(project_id: int):
    access = services.access_project(current_user, project_id)
    if request.method == "GET":
        return _render_meetings(access)
    require(current_user, "project.contribute", access)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            with transaction():
                meeting = services.check_create_meeting(current_user, access,
                                                        form.data_object())
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Réunion planifiée : les membres sont prévenus."), "success")
            return redirect(url_for("projects.meetings", project_id=project_id,
                                    _anchor=f"reunion-{meeting.id}"))
    else:
        form.field_errors()
    return _render_meetings(access, form, 400)


@bp.route(f"{PROJECT}/reunions/{ITEM}/modifier", methods=["GET", "POST"])
def edit_meeting(project_id: int, item_id: int):
    target = services.access_project_meeting(current_user, project_id, item_id)
    require(current_user, "project.meeting.manage", target)
    meeting = target.meeting
    if request.method == "GET":
        form = MeetingForm(formdata=None).fill(meeting)
    else:
        form = MeetingForm()
        if form.validate_on_submit():
            try:
                with transaction():
                    services.check_update_meeting(current_user, target, form.data_object())
            except Invalid as error:
                form.add_error(error)
            else:
                flash(_("Réunion mise à jour."), "success")
                return redirect(url_for("projects.meetings", project_id=project_id,
                                        _anchor=f"reunion-{item_id}"))
        else:
            form.field_errors()
    status = 400 if request.method == "POST" else 200
    return render_tab("edit_meeting.html", target.access, "meetings", status, form=form,
                       meeting=meeting)


@bp.post(f"{PROJECT}/reunions/{ITEM}/annuler")
def cancel_meeting(project_id: int, item_id: int):
    target = services.access_project_meeting(current_user, project_id, item_id)
    try:
        with transaction():
            services.check_cancel_meeting(current_user, target)
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("Réunion annulée : les membres sont prévenus."), "info")
    return redirect(url_for("projects.meetings", project_id=project_id,
                            _anchor=f"reunion-{item_id}"))


@bp.post(f"{PROJECT}/reunions/{ITEM}/compte-rendu")
@upload_limit
def minutes(project_id: int, item_id: int):
    target = services.access_project_meeting(current_user, project_id, item_id)
    require(current_user, "project.meeting.minutes", target)
    form = MinutesForm.for_meeting(item_id)
    try:
        if not form.validate_on_submit():
            raise Invalid(_("Le formulaire a expiré. Rechargez la page et réessayez."))
        files = read_uploads(request.files.getlist(form.file.name), 1, library.max_bytes())
        if not files:
            raise Invalid(_("Choisissez le fichier du compte rendu."), field="file")
        with transaction():
            document = services.check_attach_minutes(current_user, target, files[0],
                                                     form.title.data)
    except Invalid as error:
        form.add_error(Invalid(error.message, field=error.field if error.field in (
            "file", "title") else None))
        return _render_meetings(target.access, status=400, minutes_form=(item_id, form))
    if document.state == "published":
        flash(_("Le compte rendu est publié dans les documents du projet."), "success")
    else:
        flash(_("Le compte rendu est déposé : il sera visible de tous les membres dès qu'un·e "
                "porteur·se l'aura validé."), "success")
    return redirect(url_for("projects.meetings", project_id=project_id,
                            _anchor=f"reunion-{item_id}"))


@bp.post(f"{PROJECT}/reunions/{ITEM}/reponse")
def rsvp(project_id: int, item_id: int):
    target = services.access_project_meeting(current_user, project_id, item_id)
    try:
        with transaction():
            services.check_rsvp(current_user, target, request.form.get("answer", ""))
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("Réponse enregistrée."), "success")
    return redirect(url_for("projects.meetings", project_id=project_id,
                            _anchor=f"reunion-{item_id}"))


@bp.get(f"{PROJECT}/reunions/{ITEM}/agenda.ics")
def meeting_ics(project_id: int, item_id: int):
    target = services.access_project_meeting(current_user, project_id, item_id)
    response = Response(services.meeting_ics(target), mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{services.ics_filename(target.meeting)}"')
    response.cache_control.private = True
    return response
