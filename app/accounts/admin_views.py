"""Administration of membership: members' roles and statuses, pending invitations; the
background jobs' state ("Tâches de fond")."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import jobs
from ..db import transaction
from ..errors import Invalid, NotFound
from ..permissions import require
from . import services
from .forms import ROLE_LABELS, STATUS_LABELS, InviteForm, RoleForm, StatusForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    require(current_user, "admin.access")


@bp.get("/membres")
def members():
    query = request.args.get("q", "").strip()[:100]
    return render_template(
        "admin/members.html", users=services.members_for_admin(query), query=query,
        role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
        role_form=RoleForm(), status_form=StatusForm(),
    )


@bp.post("/membres/<int:user_id>/role")
def change_role(user_id: int):
    form = RoleForm()
    target = services.access_user(current_user, user_id)
    if not form.validate_on_submit():
        raise Invalid(_("Rôle inconnu."))
    with transaction():
        services.check_change_role(current_user, target, form.role.data)
    flash(_("Rôle de %(name)s : %(role)s.", name=target.display_name,
            role=ROLE_LABELS[target.role]), "success")
    return redirect(url_for("admin.members"))


@bp.post("/membres/<int:user_id>/statut")
def change_status(user_id: int):
    form = StatusForm()
    target = services.access_user(current_user, user_id)
    if not form.validate_on_submit():
        raise Invalid(_("Statut inconnu, motif trop long ou date de fin invalide."))
    with transaction():
        services.check_change_status(current_user, target, form.status.data, form.reason.data,
                                     until=form.until.data)
    flash(_("Statut de %(name)s : %(status)s.", name=target.display_name,
            status=STATUS_LABELS[target.status]), "success")
    return redirect(url_for("admin.members"))


def _invitations_page(form: InviteForm, status: int = 200):
    return render_template("admin/invitations.html", form=form,
                           invitations=services.pending_invitations(),
                           role_labels=ROLE_LABELS), status


@bp.get("/invitations")
def invitations():
    return _invitations_page(InviteForm())


@bp.post("/invitations")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            with transaction():
                invitation = services.check_invite(current_user, form.email.data, form.role.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Invitation envoyée à %(email)s.", email=invitation.email), "success")
            return redirect(url_for("admin.invitations"))
    return _invitations_page(form, status=400)


@bp.post("/invitations/<int:invitation_id>/renvoyer")
def resend(invitation_id: int):
    with transaction():
        invitation = services.access_invitation(current_user, invitation_id)
        services.do_resend_invitation(current_user, invitation)
    flash(_("Invitation renvoyée à %(email)s.", email=invitation.email), "success")
    return redirect(url_for("admin.invitations"))


@bp.post("/invitations/<int:invitation_id>/revoquer")
def revoke(invitation_id: int):
    with transaction():
        invitation = services.access_invitation(current_user, invitation_id)
        services.do_revoke_invitation(current_user, invitation)
    flash(_("Invitation à %(email)s révoquée.", email=invitation.email), "success")
    return redirect(url_for("admin.invitations"))


_JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@bp.get("/taches", endpoint="jobs")
def jobs_page():
    """Queued and failed background jobs, with "Relancer" on each failed one."""
    require(current_user, "jobs.manage")
    from redis.exceptions import RedisError

    app = current_app._get_current_object()
    try:
        state = jobs.status(app)
    except RedisError:
        current_app.logger.exception("jobs: cannot read the queue")
        state = None
    return render_template("admin/jobs.html", state=state, mode=jobs.mode(app)), (
        200 if state is not None else 503)


@bp.post("/taches/<job_id>/relancer")
def retry_job(job_id: str):
    require(current_user, "jobs.manage")
    if not _JOB_ID.fullmatch(job_id) or not jobs.retry(current_app._get_current_object(),
                                                       job_id):
        raise NotFound()
    flash(_("Tâche relancée."), "success")
    return redirect(url_for("admin.jobs"))
