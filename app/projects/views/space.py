"""A project space: the directory, creating and editing a project, its overview, cover, and
its wall and chat tabs (the walls' and chat's own pages, framed by the project)."""

from __future__ import annotations

from flask import (
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

from ...chat import services as chat
from ...db import transaction
from ...errors import Invalid
from ...extensions import limiter
from ...permissions import can, require
from ...walls import services as walls
from ...walls.forms import PostForm
from ...web import member_rate_key
from .. import services
from ..forms import (
    DirectoryForm,
    JoinForm,
    ProjectForm,
)
from .common import (
    PROJECT,
    bp,
    cover_upload,
    create_limit,
    cursor,
    render_tab,
    succeeded,
)

# Directory and creation -------------------------------------------------------------------

@bp.get("/")
def index():
    form = DirectoryForm(request.args).load_choices()
    mine = request.args.get("mes") == "1"
    page = services.directory(current_user, form.filters(mine=mine), before_id=cursor())
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
                                                        cover_upload())
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
    return render_tab("show.html", access, "overview",
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
                                                  cover_upload())
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
    page = walls.wall_page(current_user, wall, before_id=cursor())
    return render_tab("wall.html", access, "wall", status, wall=wall, page=page, form=form,
                       move_walls=[], before_id=cursor())


@bp.route(f"{PROJECT}/mur", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["POST_RATE_LIMIT"], methods=["POST"],
               key_func=member_rate_key, deduct_when=succeeded)
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
    return render_tab("chat.html", access, "chat", messages=messages)
