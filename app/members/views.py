"""Directory, profile pages, avatars and the member's own profile form."""

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
from ..storage import get_storage
from . import services
from .forms import DirectoryForm, ProfileForm

bp = Blueprint("members", __name__)


@bp.get("/annuaire")
def directory():
    form = DirectoryForm(request.args).load_choices()
    filters = services.DirectoryFilters(q=(form.q.data or "").strip()[:100], **{
        name: form.known_choice(name) for name in DirectoryForm.FACETS})
    after = request.args.get("apres", type=int)
    page = services.directory(current_user, filters, after=after)
    return render_template(
        "members/directory.html", form=form, page=page, filters=filters,
        regions=services.region_counts(current_user),
    )


@bp.get("/membres/suggestions")
def suggestions():
    """JSON for the @mention autocomplete: [{"id": 3, "display_name": "Sophie Martin"}]."""
    return jsonify(services.suggest(current_user, request.args.get("q", "")))


@bp.get("/membres/<int:user_id>")
def profile(user_id: int):
    member = services.access_member(current_user, user_id)
    return render_template("members/profile.html", member=member)


@bp.get("/membres/<int:user_id>/photo")
def avatar(user_id: int):
    member = services.access_member(current_user, user_id)
    key = member.profile.avatar_key
    storage = get_storage()
    if not key or not storage.exists(key):
        raise NotFound()
    mimetype = "image/png" if key.endswith(".png") else "image/jpeg"
    response = send_file(storage.path(key), mimetype=mimetype, max_age=3600,
                         conditional=True)
    # Photos are for logged-in members only: no shared proxy may keep them.
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/profil", methods=["GET", "POST"])
def edit_profile():
    member = services.access_member(current_user, current_user.id)
    profile = member.profile
    form = ProfileForm(obj=profile, display_name=member.display_name).load_choices()
    if request.method == "GET":
        form.region.data = profile.region.code if profile.region else ""
        form.catalyst_profile.data = profile.catalyst_profile.code \
            if profile.catalyst_profile else ""
        form.scope.data = profile.scope.code if profile.scope else ""
        for vocabulary in services.MULTI_VOCABULARIES:
            getattr(form, vocabulary).data = [t.code for t in profile.tags_of(vocabulary)]
    if form.validate_on_submit():
        data = services.ProfileData(
            display_name=form.display_name.data, organisation=form.organisation.data,
            job_title=form.job_title.data, territory=form.territory.data,
            region=form.region.data, catalyst_profile=form.catalyst_profile.data,
            scope=form.scope.data, bio=form.bio.data,
            tags={v: getattr(form, v).data or [] for v in services.MULTI_VOCABULARIES},
        )
        upload = form.avatar.data
        try:
            with transaction():
                services.check_update_profile(current_user, member, data)
                if form.remove_avatar.data:
                    services.check_remove_avatar(current_user, member)
                elif upload and upload.filename:
                    raw = upload.read(current_app.config["AVATAR_MAX_BYTES"] + 1)
                    services.check_set_avatar(current_user, member, raw)
        except Invalid as error:
            form.add_error(error)
            member = services.access_member(current_user, current_user.id)
        else:
            flash(_("Profil enregistré."), "success")
            return redirect(url_for("members.profile", user_id=member.id))
    status = 400 if request.method == "POST" else 200
    return render_template("members/edit_profile.html", form=form, member=member), status
