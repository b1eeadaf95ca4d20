"""The documents tab: the project's shelf of the library, submissions and decisions."""

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
from ...library import answers as library_answers
from ...library import services as library
from ...library.files import read_uploads
from ...library.forms import SubmitForm, library_query
from ...permissions import require
from ...web import wants_json
from .. import services
from .common import (
    PROJECT,
    bp,
    render_tab,
    upload_limit,
)

# Documents: the project's shelf of the library -------------------------------------------------


def _render_documents(access, form: SubmitForm | None = None, status: int = 200):
    tab = services.documents(current_user, access, library_query(request.args))
    if form is None and tab.can_submit:
        form = SubmitForm(formdata=None).load_choices()
    return render_tab("documents.html", access, "documents", status, docs=tab, form=form,
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
