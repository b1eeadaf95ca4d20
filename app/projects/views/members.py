"""The members tab: join requests, invitations, roles, leaving."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...db import transaction
from ...errors import Invalid
from ...permissions import require
from .. import services
from ..forms import (
    InviteForm,
    JoinForm,
)
from .common import (
    ITEM,
    PROJECT,
    bp,
    render_tab,
    write_limit,
)

# Members -------------------------------------------------------------------------------------

def _members_page(access, status: int = 200, invite_form: InviteForm | None = None,
                  join_form: JoinForm | None = None):
    page = services.members_page(current_user, access)
    invite_form = (invite_form or InviteForm()).load_choices(page.invitable)
    return render_tab("members.html", access, "members", status, page=page,
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
