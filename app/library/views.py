"""Routes of the library: parse the request, call a service, render (or answer JSON to the
upload script)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..db import transaction
from ..errors import Invalid, NotFound
from ..extensions import limiter
from ..permissions import can, require
from ..storage import get_storage
from ..text import safe_path
from ..web import member_rate_key, wants_json
from . import answers, services
from .files import read_uploads
from .forms import (
    FACET_LABELS,
    TAG_LABELS,
    CollectionForm,
    CommentForm,
    MetadataForm,
    SubmitForm,
    VersionForm,
    library_query,
)

bp = Blueprint("library", __name__, url_prefix="/bibliotheque")

DOC = "<int(max=2147483647):document_id>"
VERSION = "<int(max=2147483647):version_id>"
SUBMIT_RATE_LIMIT = "60 per hour"
PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
DOWNLOAD_CSP = "sandbox; default-src 'none'"


@bp.app_context_processor
def _labels():
    return {"LIBRARY_STATE_LABELS": services.STATE_LABELS,
            "LIBRARY_LANGUAGES": services.LANGUAGES, "LIBRARY_LICENCES": services.LICENCES,
            "LIBRARY_FACET_LABELS": FACET_LABELS, "LIBRARY_TAG_LABELS": TAG_LABELS}


def _succeeded(response) -> bool:
    return response.status_code in (200, 201, 302, 303) and request.method == "POST"


submit_limit = limiter.limit(SUBMIT_RATE_LIMIT, methods=["POST"], key_func=member_rate_key,
                             deduct_when=_succeeded)
comment_limit = limiter.limit(lambda: current_app.config["POST_RATE_LIMIT"], methods=["POST"],
                              key_func=member_rate_key, deduct_when=_succeeded)


# Browsing ----------------------------------------------------------------------------------

@bp.get("/")
def index():
    page = services.shelf(current_user, query=library_query(request.args))
    return _render_library(page)


@bp.get("/dossiers/<slug>")
def collection(slug: str):
    page = services.shelf(current_user,
                          query=library_query(request.args, collection=slug[:80]))
    return _render_library(page)


def _render_library(page: services.LibraryPage):
    manage = can(current_user, "library.collections.manage")
    return render_template(
        "library/index.html", page=page, collections=services.collections(current_user),
        can_submit=can(current_user, "library.submit", services.MAIN),
        can_moderate=can(current_user, "library.moderate", services.MAIN),
        pending_count=services.pending_count(current_user),
        collection_form=CollectionForm() if manage else None, manage=manage)


# Submitting --------------------------------------------------------------------------------

@bp.route("/proposer", methods=["GET", "POST"])
@submit_limit
def submit():
    require(current_user, "library.submit", services.MAIN)
    form = SubmitForm().load_choices()
    if request.method == "GET":
        return _render_submit(form)
    if not form.validate_on_submit():
        if wants_json():
            return jsonify({"ok": False, "error": "invalid", "errors": form.errors,
                            "message": _("Le formulaire n'est pas valide.")}), 400
        return _render_submit(form, 400)
    try:
        files = read_uploads(request.files.getlist("files"), services.FILES_MAX,
                             services.max_bytes())
        with transaction():
            documents = services.check_submit(current_user, None, None, files,
                                              form.data_object())
    except Invalid as error:
        return answers.refused(form, error) or _render_submit(form, 400)
    if wants_json():
        return answers.accepted(documents, url_for("library.mine"))
    flash(_("Merci ! Votre proposition est enregistrée : elle sera visible de tous dès que "
            "l'équipe d'animation l'aura validée."), "success")
    return redirect(url_for("library.mine"))


def _render_submit(form: SubmitForm, status: int = 200):
    return render_template("library/submit.html", form=form,
                           max_bytes=services.max_bytes(), max_files=services.FILES_MAX), status


@bp.get("/mes-propositions")
def mine():
    return render_template("library/mine.html",
                           documents=services.my_submissions(current_user))


# Moderation queue --------------------------------------------------------------------------

@bp.get("/a-valider")
def queue():
    return render_template("library/queue.html", items=services.pending(current_user))


# Document ----------------------------------------------------------------------------------

def _render_document(document, status: int = 200, comment_form: CommentForm | None = None,
                     version_form: VersionForm | None = None):
    page = services.document_page(current_user, document)
    return render_template(
        "library/document.html", **vars(page),
        comment_form=comment_form or CommentForm(), version_form=version_form or VersionForm(),
        max_bytes=services.max_bytes()), status


@bp.get(f"/documents/{DOC}")
def document(document_id: int):
    return _render_document(services.access_document(current_user, document_id))


@bp.route(f"/documents/{DOC}/modifier", methods=["GET", "POST"])
def edit(document_id: int):
    document = services.access_document(current_user, document_id)
    require(current_user, "library.document.edit", document)
    form = MetadataForm().load_choices()
    if request.method == "GET":
        form.fill_from(document)
    elif form.validate_on_submit():
        try:
            with transaction():
                services.check_edit(current_user, document, form.data_object())
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Les informations du document sont enregistrées."), "success")
            return redirect(url_for("library.document", document_id=document.id))
    status = 400 if request.method == "POST" else 200
    return render_template("library/edit.html", document=document, form=form), status


@bp.post(f"/documents/{DOC}/versions")
@submit_limit
def new_version(document_id: int):
    document = services.access_document(current_user, document_id)
    require(current_user, "library.document.version", document)
    form = VersionForm()
    try:
        if not form.validate_on_submit():
            raise Invalid(_("Le formulaire a expiré. Rechargez la page et réessayez."))
        files = read_uploads(request.files.getlist("file"), 1, services.max_bytes())
        if len(files) != 1:
            raise Invalid(_("Choisissez un fichier."), field="file")
        with transaction():
            version = services.check_new_version(current_user, document, files[0],
                                                 form.change_note.data)
    except Invalid as error:
        if wants_json():
            return jsonify({"ok": False, "error": "invalid", "field": error.field,
                            "message": str(error.message)}), 400
        field = "file" if error.field == "files" else error.field
        form.add_error(Invalid(error.message, field=field))
        document = services.access_document(current_user, document_id)
        return _render_document(document, 400, version_form=form)
    if version.state == "published":
        message = _("La version %(n)d est publiée.", n=version.number)
    else:
        message = _("La version %(n)d est enregistrée ; elle sera publiée après validation.",
                    n=version.number)
    url = url_for("library.document", document_id=document_id, _anchor="versions")
    if wants_json():
        return jsonify({"ok": True, "version": version.number, "url": url}), 201
    flash(message, "success")
    return redirect(url)


# Files -------------------------------------------------------------------------------------

def _send(version, inline: bool):
    """Members' files are inert: never sniffed, sandboxed, kept out of shared caches;
    only PDFs and images may be shown in the browser."""
    storage = get_storage()
    if not storage.exists(version.storage_key):
        raise NotFound()
    mimetype = version.content_type
    if mimetype.startswith("text/"):
        mimetype += "; charset=utf-8"
    response = send_file(storage.path(version.storage_key), mimetype=mimetype,
                         as_attachment=not inline, download_name=version.filename,
                         conditional=True, max_age=0)
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["Content-Security-Policy"] = PREVIEW_CSP if inline else DOWNLOAD_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.get(f"/documents/{DOC}/telecharger")
def download(document_id: int):
    document = services.access_document(current_user, document_id)
    version = services.download_version(current_user, document)
    return _download(version)


@bp.get(f"/versions/{VERSION}/telecharger")
def download_version(version_id: int):
    return _download(services.access_version(current_user, version_id))


def _download(version):
    response = _send(version, inline=False)
    if request.headers.get("Range") is None:
        with transaction():
            services.do_record_download(version.document)
    return response


@bp.get(f"/versions/{VERSION}/apercu")
def preview(version_id: int):
    version = services.access_version(current_user, version_id)
    if not version.previewable:
        raise NotFound()
    return _send(version, inline=True)


# Decisions ---------------------------------------------------------------------------------

@bp.post(f"/documents/{DOC}/decision")
def decide(document_id: int):
    document = services.access_document(current_user, document_id)
    action = request.form.get("action", "")
    message = request.form.get("message", "")
    actions = {
        "approve": (lambda: services.check_approve(current_user, document),
                    _("Le document est publié.")),
        "changes": (lambda: services.check_request_changes(current_user, document, message),
                    _("Votre demande de modifications est envoyée au déposant.")),
        "reject": (lambda: services.check_reject(current_user, document, message),
                   _("Le document est refusé ; le déposant en est informé.")),
        "unpublish": (lambda: services.check_unpublish(current_user, document, message),
                      _("Le document est dépublié (il reste conservé).")),
        "republish": (lambda: services.check_republish(current_user, document),
                      _("Le document est de nouveau publié.")),
    }
    if action not in actions:
        raise Invalid(_("Décision inconnue."))
    run, done = actions[action]
    try:
        with transaction():
            run()
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(done, "success")
    return redirect(safe_path(request.form.get("next"))
                    or url_for("library.document", document_id=document_id))


@bp.post(f"/versions/{VERSION}/decision")
def decide_version(version_id: int):
    version = services.access_version(current_user, version_id)
    action = request.form.get("action", "")
    try:
        with transaction():
            if action == "approve":
                services.check_approve_version(current_user, version)
            elif action == "reject":
                services.check_reject_version(current_user, version,
                                              request.form.get("message", ""))
            else:
                raise Invalid(_("Décision inconnue."))
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("Décision enregistrée."), "success")
    return redirect(safe_path(request.form.get("next"))
                    or url_for("library.document", document_id=version.document_id))


@bp.post(f"/documents/{DOC}/proposer-au-reseau")
def propose(document_id: int):
    document = services.access_document(current_user, document_id)
    with transaction():
        copy = services.check_propose_to_main_library(current_user, document)
    flash(_("Le document est proposé à la bibliothèque du réseau ; l'équipe d'animation le "
            "validera."), "success")
    return redirect(url_for("library.document", document_id=copy.id))


# Comments ----------------------------------------------------------------------------------

@bp.post(f"/documents/{DOC}/commentaires")
@comment_limit
def comment(document_id: int):
    document = services.access_document(current_user, document_id)
    form = CommentForm()
    try:
        if not form.validate_on_submit():
            raise Invalid(_("Le formulaire a expiré. Rechargez la page et réessayez."))
        with transaction():
            created = services.check_comment(current_user, document, form.body.data)
    except Invalid as error:
        form.add_error(Invalid(error.message, field="body"))
        document = services.access_document(current_user, document_id)
        return _render_document(document, 400, comment_form=form)
    return redirect(url_for("library.document", document_id=document_id,
                            _anchor=f"commentaire-{created.id}"))


@bp.post("/commentaires/<int(max=2147483647):comment_id>/supprimer")
def delete_comment(comment_id: int):
    target = services.access_comment(current_user, comment_id)
    try:
        with transaction():
            services.check_delete_comment(current_user, target, request.form.get("reason", ""))
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("Le commentaire est retiré."), "info")
    return redirect(url_for("library.document", document_id=target.document.id,
                            _anchor="commentaires"))


# Collections -------------------------------------------------------------------------------

@bp.post("/dossiers")
def create_collection():
    require(current_user, "library.collections.manage")
    form = CollectionForm()
    try:
        if not form.validate_on_submit():
            raise Invalid(_("Le formulaire a expiré. Rechargez la page et réessayez."))
        with transaction():
            created = services.check_create_collection(current_user, form.title.data,
                                                       form.description.data)
    except Invalid as error:
        flash(str(error.message), "error")
        return redirect(url_for("library.index"))
    flash(_("Le dossier « %(title)s » est créé.", title=created.title), "success")
    return redirect(url_for("library.collection", slug=created.slug))


def _offset() -> int:
    return -1 if request.form.get("sens") == "haut" else 1


@bp.post("/dossiers/<int(max=2147483647):collection_id>/deplacer")
def move_collection(collection_id: int):
    collection = services.access_collection(current_user, collection_id)
    with transaction():
        services.check_move_collection(current_user, collection, _offset())
    return redirect(url_for("library.index", _anchor="dossiers"))


@bp.post(f"/dossiers/<int(max=2147483647):collection_id>/documents/{DOC}/deplacer")
def move_in_collection(collection_id: int, document_id: int):
    collection = services.access_collection(current_user, collection_id)
    with transaction():
        services.check_move_in_collection(current_user, collection, document_id, _offset())
    return redirect(url_for("library.collection", slug=collection.slug))


@bp.post(f"/dossiers/<int(max=2147483647):collection_id>/documents/{DOC}/retirer")
def remove_from_collection(collection_id: int, document_id: int):
    collection = services.access_collection(current_user, collection_id)
    with transaction():
        services.check_remove_from_collection(current_user, collection, document_id)
    flash(_("Le document est retiré du dossier (il reste dans la bibliothèque)."), "info")
    return redirect(url_for("library.collection", slug=collection.slug))


@bp.post(f"/documents/{DOC}/dossiers")
def add_to_collection(document_id: int):
    document = services.access_document(current_user, document_id)
    raw = request.form.get("collection_id", "")
    if not raw.isdigit():
        raise Invalid(_("Choisissez un dossier."))
    collection = services.access_collection(current_user, int(raw))
    try:
        with transaction():
            services.check_add_to_collection(current_user, collection, document)
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("Le document est ajouté au dossier « %(title)s ».", title=collection.title),
              "success")
    return redirect(url_for("library.document", document_id=document.id))


@bp.app_template_global("library_link")
def _library_link(**changes) -> str:
    """The current listing's URL with some parameters changed (None removes one); any
    change of filter or sort goes back to the first page."""
    args = {**request.args.to_dict(), **(request.view_args or {})}
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **args)


# Errors ------------------------------------------------------------------------------------

@bp.errorhandler(429)
def too_many(error):
    message = _("Vous avez envoyé beaucoup de fichiers ou de commentaires en peu de temps. "
                "Merci de patienter avant de réessayer.")
    if wants_json():
        return jsonify({"ok": False, "error": "rate_limited", "message": message}), 429
    return render_template("errors/error.html", status=429, message=message), 429
