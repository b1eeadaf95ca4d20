"""Walls, posts, comments, reactions, Q&A: parse the request, call a service, render."""

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

from ..db import ID_MAX, transaction
from ..errors import Invalid, NotFound
from ..extensions import limiter
from ..moderation.services import REPORT_REASON_LABELS
from ..permissions import can, require
from ..storage import get_storage
from ..text import format_size, safe_path
from ..uploads import check_upload
from ..web import member_rate_key, wants_json
from . import services
from .forms import (
    KIND_LABELS,
    PREMODERATION_LABELS,
    REACTION_LABELS,
    EditCommentForm,
    EditPostForm,
    PostForm,
    PremoderationForm,
    QuestionFilterForm,
    WallForm,
)
from .models import REACTIONS

bp = Blueprint("walls", __name__)

POST = "<int(max=2147483647):post_id>"
COMMENT = "<int(max=2147483647):comment_id>"


# Helpers -----------------------------------------------------------------------------------

bp.add_app_template_filter(format_size, "filesize")


@bp.app_context_processor
def _labels():
    return {"KIND_LABELS": KIND_LABELS, "REACTION_LABELS": REACTION_LABELS,
            "REACTIONS": REACTIONS, "REPORT_REASON_LABELS": REPORT_REASON_LABELS,
            "PREMODERATION_LABELS": PREMODERATION_LABELS}


def _post_limit() -> str:
    return current_app.config["POST_RATE_LIMIT"]


def _published(response) -> bool:
    # Only what was published counts: a member fixing a refused form is not slowed down.
    return response.status_code in (302, 303)


flood_limit = limiter.limit(_post_limit, methods=["POST"], key_func=member_rate_key,
                            deduct_when=_published)


def _cursor() -> int | None:
    value = request.args.get("avant", type=int)
    return value if value is not None and 0 < value <= ID_MAX else None


def _fragment_back(post_id: int) -> str:
    """Small forms inside a live-inserted fragment come back to the page that fetched it."""
    return safe_path(request.args.get("retour")) or url_for("walls.post", post_id=post_id)


def _move_walls():
    """Walls a moderator may move a post to (the "Modérer" menu); nothing for members."""
    if can(current_user, "content.moderate"):
        return services.walls_for(current_user)
    return []


def _checked_files() -> list:
    """Check each uploaded file by its content; read at most the limit + 1 byte of each,
    and no more files than one over the maximum (the service refuses that many)."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    checked = []
    for upload in uploads[: services.MAX_ATTACHMENTS + 1]:
        data = upload.stream.read(limit + 1)
        checked.append(check_upload(upload.filename, data, services.ATTACHMENT_TYPES, limit))
    return checked


# Walls -------------------------------------------------------------------------------------

@bp.route("/murs", methods=["GET", "POST"])
def index():
    form = WallForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction():
                    wall = services.check_create_wall(
                        current_user, form.name.data, form.description.data,
                        form.premoderation.data)
            except Invalid as error:
                form.add_error(error)
            else:
                flash(_("Le mur « %(name)s » est créé.", name=wall.name), "success")
                return redirect(url_for("walls.wall", slug=wall.slug))
        status = 400
    return render_template("walls/index.html", walls=services.walls_for(current_user),
                           following=services.followed_wall_ids(current_user),
                           form=form), status


def _render_wall(wall, form: PostForm, status: int = 200, before_id: int | None = None):
    page = services.wall_page(current_user, wall, before_id=before_id)
    settings = None
    if can(current_user, "wall.manage", wall):
        settings = PremoderationForm(premoderation=wall.premoderation)
    return render_template(
        "walls/wall.html", wall=wall, page=page, form=form, settings=settings,
        following=services.is_following(current_user, "wall", wall.id),
        move_walls=_move_walls(), before_id=before_id), status


def _post_form(wall) -> PostForm:
    return PostForm().load_choices(can(current_user, "post.announce", wall))


@bp.route("/murs/<slug>", methods=["GET", "POST"])
@flood_limit
def wall(slug: str):
    wall = services.access_wall_by_slug(current_user, slug)
    form = _post_form(wall)
    if request.method == "GET":
        return _render_wall(wall, form, before_id=_cursor())
    if form.validate_on_submit():
        try:
            files = _checked_files()
            with transaction():
                post = services.check_create_post(
                    current_user, wall, body=form.body.data, title=form.title.data,
                    kind=form.kind.data, tags=form.tags(), files=files)
        except Invalid as error:
            form.add_error(error)
            if error.field != "files" and any(f.filename for f in request.files.getlist("files")):
                form.files.errors = [*form.files.errors,
                                     _("Joignez à nouveau vos fichiers : un navigateur ne "
                                       "les garde pas d'un envoi à l'autre.")]
        else:
            if post.state == "pending":
                flash(_("Merci ! Votre message sera visible de tous dès que l'équipe "
                        "d'animation l'aura validé."), "info")
            else:
                flash(_("Votre message est publié."), "success")
            return redirect(url_for("walls.wall", slug=wall.slug, _anchor=f"message-{post.id}"))
    return _render_wall(wall, form, status=400)


@bp.post("/murs/<slug>/reglages")
def settings(slug: str):
    wall = services.access_wall_by_slug(current_user, slug)
    form = PremoderationForm()
    if form.validate_on_submit():
        with transaction():
            services.check_set_premoderation(current_user, wall, form.premoderation.data)
        flash(_("Réglage enregistré."), "success")
    return redirect(url_for("walls.wall", slug=wall.slug))


@bp.post("/murs/<slug>/suivre")
def follow_wall(slug: str):
    return _follow_wall(slug, True)


@bp.post("/murs/<slug>/ne-plus-suivre")
def unfollow_wall(slug: str):
    return _follow_wall(slug, False)


def _follow_wall(slug: str, follow: bool):
    wall = services.access_wall_by_slug(current_user, slug)
    with transaction():
        services.check_follow(current_user, "wall", wall.id, follow)
    if follow:
        flash(_("Vous suivez ce mur : ses nouveaux messages arrivent dans votre fil."),
              "success")
    else:
        flash(_("Vous ne suivez plus ce mur."), "info")
    return redirect(safe_path(request.form.get("next")) or url_for("walls.wall", slug=wall.slug))


# Posts -------------------------------------------------------------------------------------

def _render_post(post, status: int = 200, draft: dict | None = None,
                 comment_error: str | None = None):
    return render_template(
        "walls/post.html", view=services.post_view(current_user, post),
        move_walls=_move_walls(), draft=draft or {}, comment_error=comment_error), status


@bp.get(f"/murs/messages/{POST}")
def post(post_id: int):
    return _render_post(services.access_post(current_user, post_id))


@bp.get(f"/murs/messages/{POST}/fragment")
def post_fragment(post_id: int):
    """The post as the wall page shows it, for live updates (walls.js)."""
    post = services.access_post(current_user, post_id)
    full = request.args.get("complet") == "1"
    return render_template("walls/_post.html", view=services.post_view(current_user, post),
                           full=full, move_walls=_move_walls(), back=_fragment_back(post.id))


@bp.route(f"/murs/messages/{POST}/modifier", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = services.access_post(current_user, post_id)
    require(current_user, "post.edit", post)
    form = EditPostForm(obj=post)
    by_moderator = post.author_id != current_user.id
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_edit_post(current_user, post, body=form.body.data,
                                         title=form.title.data, reason=form.reason.data)
        except Invalid as error:
            form.add_error(error)
            post = services.access_post(current_user, post_id)
        else:
            flash(_("Message modifié."), "success")
            return redirect(url_for("walls.post", post_id=post.id))
    status = 400 if request.method == "POST" else 200
    return render_template("walls/edit_post.html", post=post, form=form,
                           by_moderator=by_moderator), status


@bp.post(f"/murs/messages/{POST}/supprimer")
def delete_post(post_id: int):
    post = services.access_post(current_user, post_id)
    slug = post.wall.slug
    with transaction():
        services.check_delete_post(current_user, post, reason=request.form.get("reason", ""))
    flash(_("Le message est supprimé."), "info")
    return redirect(url_for("walls.wall", slug=slug))


@bp.get(f"/murs/messages/{POST}/versions")
def post_revisions(post_id: int):
    post = services.access_post(current_user, post_id)
    revisions = services.revision_views(current_user, "post", post.id)
    return render_template("walls/revisions.html", post=post, comment=None,
                           revisions=revisions)


@bp.post(f"/murs/messages/{POST}/suivre")
def follow_post(post_id: int):
    return _follow_post(post_id, True)


@bp.post(f"/murs/messages/{POST}/ne-plus-suivre")
def unfollow_post(post_id: int):
    return _follow_post(post_id, False)


def _follow_post(post_id: int, follow: bool):
    with transaction():
        services.check_follow(current_user, "post", post_id, follow)
    if follow:
        flash(_("Vous suivez cette discussion."), "success")
    else:
        flash(_("Vous ne suivez plus cette discussion."), "info")
    return redirect(safe_path(request.form.get("next")) or url_for("walls.post", post_id=post_id))


@bp.post(f"/murs/messages/{POST}/reponse-retenue")
def accept_answer(post_id: int):
    post = services.access_post(current_user, post_id)
    raw = request.form.get("comment_id", "")
    comment_id = int(raw) if raw.isdigit() and 0 < int(raw) <= ID_MAX else None
    if raw and comment_id is None:
        raise Invalid(_("Cette réponse ne peut pas être retenue."))
    with transaction():
        services.check_accept_answer(current_user, post, comment_id)
    if comment_id:
        flash(_("Réponse retenue : elle s'affiche en premier."), "success")
    return redirect(url_for("walls.post", post_id=post.id,
                            _anchor=f"commentaire-{comment_id}" if comment_id else None))


# Comments ----------------------------------------------------------------------------------

@bp.post(f"/murs/messages/{POST}/commentaires")
@flood_limit
def comment(post_id: int):
    post = services.access_post(current_user, post_id)
    body = request.form.get("body", "")
    raw_parent = request.form.get("parent_id", "")
    parent_id = int(raw_parent) if raw_parent.isdigit() and int(raw_parent) <= ID_MAX \
        else None
    try:
        if raw_parent and parent_id is None:
            raise Invalid(_("Le commentaire auquel vous répondez n'existe plus."),
                          field="parent_id")
        with transaction():
            created = services.check_create_comment(current_user, post, body, parent_id)
    except Invalid as error:
        post = services.access_post(current_user, post_id)
        return _render_post(post, 400, draft={"body": body, "parent_id": parent_id},
                            comment_error=str(error.message))
    fallback = url_for("walls.post", post_id=post.id)
    target = safe_path(request.form.get("next")) or fallback
    return redirect(f"{target.split('#')[0]}#commentaire-{created.id}")


@bp.get(f"/murs/commentaires/{COMMENT}/fragment")
def comment_fragment(comment_id: int):
    comment = services.access_comment(current_user, comment_id)
    view, item = services.comment_view(current_user, comment)
    return render_template("walls/_comment.html", view=view, item=item,
                           reply=comment.parent_id is not None,
                           back=_fragment_back(comment.post_id))


@bp.route(f"/murs/commentaires/{COMMENT}/modifier", methods=["GET", "POST"])
def edit_comment(comment_id: int):
    comment = services.access_comment(current_user, comment_id)
    require(current_user, "comment.edit", comment)
    form = EditCommentForm(obj=comment)
    by_moderator = comment.author_id != current_user.id
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_edit_comment(current_user, comment, form.body.data,
                                            reason=form.reason.data)
        except Invalid as error:
            form.add_error(error)
            comment = services.access_comment(current_user, comment_id)
        else:
            flash(_("Commentaire modifié."), "success")
            return redirect(url_for("walls.post", post_id=comment.post_id,
                                    _anchor=f"commentaire-{comment.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("walls/edit_comment.html", comment=comment, form=form,
                           by_moderator=by_moderator), status


@bp.post(f"/murs/commentaires/{COMMENT}/supprimer")
def delete_comment(comment_id: int):
    comment = services.access_comment(current_user, comment_id)
    with transaction():
        services.check_delete_comment(current_user, comment,
                                      reason=request.form.get("reason", ""))
    flash(_("Le commentaire est supprimé."), "info")
    back = url_for("walls.post", post_id=comment.post_id)
    return redirect(safe_path(request.form.get("next")) or back)


@bp.get(f"/murs/commentaires/{COMMENT}/versions")
def comment_revisions(comment_id: int):
    comment = services.access_comment(current_user, comment_id)
    revisions = services.revision_views(current_user, "comment", comment.id)
    return render_template("walls/revisions.html", post=comment.post, comment=comment,
                           revisions=revisions)


# Reactions ---------------------------------------------------------------------------------

@bp.post(f"/murs/messages/{POST}/reactions")
def react_post(post_id: int):
    return _react("post", post_id)


@bp.post(f"/murs/commentaires/{COMMENT}/reactions")
def react_comment(comment_id: int):
    return _react("comment", comment_id)


def _react(target_type: str, target_id: int):
    kind = request.form.get("kind", "")
    with transaction():
        counts = services.check_toggle_reaction(current_user, target_type, target_id, kind)
    if wants_json():
        mine = services.my_reactions(current_user, target_type, target_id)
        return jsonify({"ok": True, "target_type": target_type, "target_id": target_id,
                        "counts": counts, "mine": sorted(mine)})
    if target_type == "post":
        fallback = url_for("walls.post", post_id=target_id)
    else:
        fallback = url_for("walls.post", post_id=services.access_comment(
            current_user, target_id).post_id, _anchor=f"commentaire-{target_id}")
    return redirect(safe_path(request.form.get("next")) or fallback)


# Attachments -------------------------------------------------------------------------------

@bp.get("/murs/pieces-jointes/<int(max=2147483647):attachment_id>")
def attachment(attachment_id: int):
    """Members' files: documents always downloaded, only checked images shown inline, never
    sniffed, never cached by a shared proxy, and sandboxed should a browser render one."""
    item = services.access_attachment(current_user, attachment_id)
    storage = get_storage()
    if not storage.exists(item.storage_key):
        raise NotFound()
    response = send_file(storage.path(item.storage_key), mimetype=item.content_type,
                         as_attachment=not item.is_image, download_name=item.filename,
                         conditional=True, max_age=3600)
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# Q&A ---------------------------------------------------------------------------------------

@bp.get("/questions")
def questions():
    form = QuestionFilterForm(request.args).load_choices()
    filters = services.QuestionFilters(domain=form.known("domain"), region=form.known("region"))
    page = services.open_questions(current_user, filters, before_id=_cursor())
    return render_template("walls/questions.html", form=form, filters=filters, page=page)


# Flood control -----------------------------------------------------------------------------

@bp.errorhandler(429)
def too_many(error):
    """Flood control answers with the page the member was on, their text kept."""
    message = _("Vous avez publié beaucoup de messages en peu de temps. Merci de patienter "
                "une minute avant de publier à nouveau : votre texte est conservé ci-dessous.")
    if wants_json():
        return jsonify({"ok": False, "error": "rate_limited", "message": message}), 429
    if request.endpoint == "walls.wall" and request.view_args:
        wall = services.access_wall_by_slug(current_user, request.view_args["slug"])
        form = _post_form(wall)
        form.form_errors.append(message)
        return _render_wall(wall, form, status=429)
    if request.endpoint == "walls.comment" and request.view_args:
        post = services.access_post(current_user, request.view_args["post_id"])
        raw_parent = request.form.get("parent_id", "")
        return _render_post(post, 429, comment_error=message, draft={
            "body": request.form.get("body", ""),
            "parent_id": int(raw_parent) if raw_parent.isdigit() else None})
    return render_template("errors/error.html", status=429, message=message), 429
