"""Project spaces: parse the request, call a service, render (docs/guide/projets.md)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..chat import services as chat
from ..db import transaction, valid_id
from ..errors import Invalid
from ..extensions import limiter
from ..library import answers as library_answers
from ..library import services as library
from ..library.files import read_uploads
from ..library.forms import SubmitForm, library_query
from ..permissions import can, require
from ..walls import services as walls
from ..walls.forms import PostForm
from ..web import member_rate_key, wants_json
from . import services
from .forms import (
    ActionFilterForm,
    ActionForm,
    DirectoryForm,
    InviteForm,
    JoinForm,
    MeetingForm,
    MinutesForm,
    ProjectForm,
)

bp = Blueprint("projects", __name__, url_prefix="/projets")

PROJECT = "/<int(max=2147483647):project_id>"
ITEM = "<int(max=2147483647):item_id>"


def _succeeded(response) -> bool:
    return response.status_code in (302, 303)


# Creating projects, join requests and actions is what a runaway script would flood.
write_limit = limiter.limit("30 per minute;300 per hour", methods=["POST"],
                            key_func=member_rate_key, deduct_when=_succeeded)
create_limit = limiter.limit("5 per minute;30 per day", methods=["POST"],
                             key_func=member_rate_key, deduct_when=_succeeded)
# Uploads: the library's own limit for its submissions, counted per member.
upload_limit = limiter.limit("60 per hour", methods=["POST"], key_func=member_rate_key,
                             deduct_when=lambda r: r.status_code in (201, 302, 303))


@bp.app_context_processor
def _helpers():
    """`my_projects()` for the home page and `member_projects(user)` for profiles."""
    return {
        "my_projects": lambda: services.my_projects(current_user),
        "member_projects": lambda user: services.projects_of(current_user, user.id),
        "PROJECT_STATUS_LABELS": services.STATUS_LABELS,
    }


def _cursor() -> int | None:
    value = request.args.get("avant", type=int)
    return value if valid_id(value) else None


def _cover() -> bytes | None:
    upload = request.files.get("cover")
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(current_app.config["AVATAR_MAX_BYTES"] * 2 + 1)


def _render_tab(template: str, access, tab: str, status: int = 200, **context):
    return render_template(f"projects/{template}", access=access, project=access.project,
                           tab=tab, **context), status


# Directory and creation -------------------------------------------------------------------

@bp.get("/")
def index():
    form = DirectoryForm(request.args).load_choices()
    mine = request.args.get("mes") == "1"
    page = services.directory(current_user, form.filters(mine=mine), before_id=_cursor())
    return render_template("projects/index.html", form=form, page=page, mine=mine)


@bp.route("/nouveau", methods=["GET", "POST"])
@create_limit
def create():
    require(current_user, "project.create")
    form = ProjectForm().load_choices()
    if form.validate_on_submit():
        try:
            with transaction():
                project = services.check_create_project(current_user, form.data_object(),
                                                        _cover())
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Le projet « %(title)s » est créé. Invitez vos partenaires !",
                    title=project.title), "success")
            return redirect(url_for("projects.show", project_id=project.id))
    status = 400 if request.method == "POST" else 200
    return render_template("projects/edit.html", form=form, project=None), status


# The space ---------------------------------------------------------------------------------

@bp.get(PROJECT)
def show(project_id: int):
    access = services.access_project(current_user, project_id)
    return _render_tab("show.html", access, "overview",
                       page=services.overview_page(current_user, access), join_form=JoinForm())


@bp.route(f"{PROJECT}/modifier", methods=["GET", "POST"])
def edit(project_id: int):
    access = services.access_project(current_user, project_id)
    require(current_user, "project.edit", access)
    project = services.load_details(access.project)
    if request.method == "GET":
        form = ProjectForm(formdata=None).fill(project)
    else:
        form = ProjectForm().load_choices()
        if form.validate_on_submit():
            try:
                with transaction():
                    services.check_update_project(current_user, access, form.data_object(),
                                                  _cover())
            except Invalid as error:
                form.add_error(error)
            else:
                flash(_("Le projet est mis à jour."), "success")
                return redirect(url_for("projects.show", project_id=project_id))
    status = 400 if request.method == "POST" else 200
    return render_template("projects/edit.html", form=form, project=project), status


@bp.get(f"{PROJECT}/couverture")
def cover(project_id: int):
    access = services.access_project(current_user, project_id)
    response = send_file(services.cover_path(access), mimetype="image/jpeg", conditional=True,
                         max_age=3600)
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# Wall and chat tabs: the project's own wall and channel, through their features -----------

def _render_wall(access, form: PostForm, status: int = 200):
    wall = walls.access_wall(current_user, access.project.wall_id)
    page = walls.wall_page(current_user, wall, before_id=_cursor())
    return _render_tab("wall.html", access, "wall", status, wall=wall, page=page, form=form,
                       move_walls=[], before_id=_cursor())


@bp.route(f"{PROJECT}/mur", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["POST_RATE_LIMIT"], methods=["POST"],
               key_func=member_rate_key, deduct_when=_succeeded)
def wall(project_id: int):
    access = services.access_project(current_user, project_id)
    wall = walls.access_wall(current_user, access.project.wall_id)
    form = PostForm().load_choices(can(current_user, "post.announce", wall))
    if request.method == "GET":
        return _render_wall(access, form)
    if form.validate_on_submit():
        try:
            with transaction():
                post = walls.check_create_post(current_user, wall, body=form.body.data,
                                               title=form.title.data, kind=form.kind.data,
                                               tags=form.tags())
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Votre message est publié.") if post.state == "published" else
                  _("Votre message sera visible dès sa validation."), "success")
            return redirect(url_for("projects.wall", project_id=project_id,
                                    _anchor=f"message-{post.id}"))
    return _render_wall(access, form, status=400)


@bp.get(f"{PROJECT}/chat")
def chat_tab(project_id: int):
    access = services.access_project(current_user, project_id)
    channel_id = access.project.channel_id
    messages = []
    if channel_id and access.is_member:
        messages, _more = chat.access_history(current_user, channel_id, limit=20)
    return _render_tab("chat.html", access, "chat", messages=messages)


# Members -------------------------------------------------------------------------------------

def _members_page(access, status: int = 200, invite_form: InviteForm | None = None,
                  join_form: JoinForm | None = None):
    page = services.members_page(current_user, access)
    invite_form = (invite_form or InviteForm()).load_choices(page.invitable)
    return _render_tab("members.html", access, "members", status, page=page,
                       invite_form=invite_form, join_form=join_form or JoinForm(),
                       ROLE_LABELS=services.ROLE_LABELS)


@bp.get(f"{PROJECT}/membres")
def members(project_id: int):
    return _members_page(services.access_project(current_user, project_id))


@bp.post(f"{PROJECT}/rejoindre")
@write_limit
def request_join(project_id: int):
    access = services.access_project(current_user, project_id)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_request_join(current_user, access, form.message.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Demande envoyée : les porteur·ses du projet vont vous répondre."),
                  "success")
            return redirect(url_for("projects.members", project_id=project_id))
    return _members_page(access, 400, join_form=form)


@bp.post(f"{PROJECT}/annuler-demande")
def cancel_request(project_id: int):
    access = services.access_project(current_user, project_id)
    with transaction():
        services.check_cancel_request(current_user, access)
    flash(_("Demande retirée."), "info")
    return redirect(url_for("projects.members", project_id=project_id))


@bp.post(f"{PROJECT}/demandes/{ITEM}")
def decide_request(project_id: int, item_id: int):
    access = services.access_project(current_user, project_id)
    accept = request.form.get("decision") == "accept"
    with transaction():
        user = services.check_decide_request(current_user, access, item_id, accept)
    if accept:
        flash(_("%(name)s rejoint le projet.", name=user.display_name), "success")
    else:
        flash(_("Demande de %(name)s déclinée.", name=user.display_name), "info")
    return redirect(url_for("projects.members", project_id=project_id))


@bp.post(f"{PROJECT}/inviter")
@write_limit
def invite(project_id: int):
    access = services.access_project(current_user, project_id)
    require(current_user, "project.manage_members", access)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            with transaction():
                added = services.check_invite(current_user, access, form.members.data or [])
        except Invalid as error:
            form.add_error(error)
        else:
            names = ", ".join(u.display_name for u in added)
            flash(_("Ajouté·es au projet : %(names)s.", names=names) if added
                  else _("Ces personnes étaient déjà membres."), "success")
            return redirect(url_for("projects.members", project_id=project_id))
    return _members_page(access, 400, invite_form=form)


@bp.post(f"{PROJECT}/quitter")
def leave(project_id: int):
    access = services.access_project(current_user, project_id)
    try:
        with transaction():
            services.check_leave(current_user, access)
    except Invalid as error:
        flash(str(error.message), "error")
        return redirect(url_for("projects.members", project_id=project_id))
    flash(_("Vous avez quitté le projet « %(title)s ».", title=access.project.title), "info")
    return redirect(url_for("projects.index"))


@bp.post(f"{PROJECT}/membres/{ITEM}/role")
def set_role(project_id: int, item_id: int):
    access = services.access_project(current_user, project_id)
    try:
        with transaction():
            services.check_change_member(current_user, access, item_id,
                                         request.form.get("action", ""),
                                         request.form.get("role", ""))
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("Les rôles sont mis à jour."), "success")
    return redirect(url_for("projects.members", project_id=project_id))


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
        return _render_tab("actions.html", access, "actions", **_actions_context(access))
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
    return _render_tab("actions.html", access, "actions", 400,
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
    return _render_tab("meetings.html", access, "meetings", status, page=page,
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
    return _render_tab("edit_meeting.html", target.access, "meetings", status, form=form,
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


# Documents: the project's shelf of the library -------------------------------------------------


def _render_documents(access, form: SubmitForm | None = None, status: int = 200):
    tab = services.documents(current_user, access, library_query(request.args))
    if form is None and tab.can_submit:
        form = SubmitForm(formdata=None).load_choices()
    return _render_tab("documents.html", access, "documents", status, docs=tab, form=form,
                       max_bytes=library.max_bytes(), max_files=library.FILES_MAX)


@bp.route(f"{PROJECT}/documents", methods=["GET", "POST"])
@upload_limit
def documents(project_id: int):
    access = services.access_project(current_user, project_id)
    if request.method == "GET":
        return _render_documents(access)
    require(current_user, "library.submit", library.access_shelf(current_user, "project",
                                                                 project_id))
    form = SubmitForm().load_choices()
    try:
        if not form.validate_on_submit():
            raise Invalid(_("Le formulaire a expiré. Rechargez la page et réessayez."))
        files = read_uploads(request.files.getlist("files"), library.FILES_MAX, library.max_bytes())
        with transaction():
            created = services.check_submit_documents(current_user, access, files,
                                                      form.data_object())
    except Invalid as error:
        return library_answers.refused(form, error) or _render_documents(access, form, 400)
    published = all(d.state == "published" for d in created)
    next_url = url_for("projects.documents", project_id=project_id)
    if wants_json():
        return library_answers.accepted(created, next_url)
    flash(_("Document publié dans l'espace du projet.") if published else
          _("Merci ! Votre document sera visible des membres dès qu'un·e porteur·se du projet "
            "l'aura validé."), "success")
    return redirect(next_url)


@bp.post(f"{PROJECT}/documents/<int(max=2147483647):document_id>/decision")
def decide_document(project_id: int, document_id: int):
    access = services.access_project(current_user, project_id)
    document = services.access_shelf_document(current_user, access, document_id)
    decision = request.form.get("action", "")
    done = {"approve": _("Le document est publié : les membres en sont informés."),
            "changes": _("Votre demande de modifications est envoyée au déposant."),
            "reject": _("Le document est refusé ; le déposant en est informé.")}
    try:
        with transaction():
            services.check_decide_document(current_user, access, document, decision,
                                           request.form.get("message", ""))
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(done[decision], "success")
    return redirect(url_for("projects.documents", project_id=project_id, _anchor="a-valider"))


@bp.post(f"{PROJECT}/documents/proposer-au-reseau")
def propose_document(project_id: int):
    access = services.access_project(current_user, project_id)
    document = services.access_shelf_document(current_user, access,
                                               request.form.get("document_id", type=int))
    try:
        with transaction():
            services.check_propose_document(current_user, document)
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("« %(title)s » est proposé à la bibliothèque du réseau : l'équipe d'animation "
                "décidera de sa publication.", title=document.title), "success")
    return redirect(url_for("projects.documents", project_id=project_id))
