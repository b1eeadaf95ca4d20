"""Chat pages: parse the request, call a service, render. Everything works without
JavaScript (the composer posts, older messages are a link); static/js/chat.js makes the
channel page live over Socket.IO (docs/realtime.md)."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..db import transaction, valid_id
from ..errors import Invalid, NotFound, RateLimited
from ..members.services import member_choices
from ..permissions import require
from . import services
from .forms import (
    KIND_LABELS,
    NOTIFY_LABELS,
    ChannelForm,
    DeleteMessageForm,
    DirectForm,
    EditMessageForm,
    InviteForm,
    PreferencesForm,
)
from .fragments import message_html

bp = Blueprint("chat", __name__, url_prefix="/chat")

CHANNEL = "<int(max=2147483647):channel_id>"
MESSAGE = "<int(max=2147483647):message_id>"
MEMBER = "<int(max=2147483647):user_id>"


@bp.app_context_processor
def _chat_badge():
    def badge() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        return services.unread_total_cached(current_user)
    return {"chat_unread_badge": badge}


def _cursor() -> int | None:
    value = request.args.get("avant", type=int)
    return value if valid_id(value) else None


def _search() -> str:
    return " ".join(request.args.get("q", "").split())[:80]


# The channel list ------------------------------------------------------------------------------

@bp.get("")
def index():
    return _render_index(ChannelForm(formdata=None), DirectForm(formdata=None))


def _render_index(channel_form: ChannelForm, direct_form: DirectForm, status: int = 200):
    q = _search()
    lists = services.channel_list(current_user, q)
    direct_form.members.choices = member_choices({current_user.id})
    # The page just counted the member's unread messages: the next pages' menu badge
    # needs no query (a per-process cache, nothing stored).
    services.do_remember_badge(current_user, lists.unread.total)
    return render_template(
        "chat/index.html", lists=lists, q=q, current_id=None, channel_form=channel_form,
        direct_form=direct_form, statuses=services.statuses(lists.partner_ids()),
        KIND_LABELS=KIND_LABELS, chat_unread_badge=lambda: lists.unread.total), status


@bp.post("/salons")
def create_channel():
    form = ChannelForm()
    if form.validate_on_submit():
        try:
            with transaction():
                channel = services.check_create_channel(
                    current_user, form.name.data, form.topic.data, form.kind.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Le salon « %(name)s » est ouvert.", name=channel.name), "success")
            return redirect(url_for("chat.channel", channel_id=channel.id))
    return _render_index(form, DirectForm(formdata=None), status=400)


@bp.post("/direct")
def open_direct():
    form = DirectForm()
    if form.validate_on_submit():
        try:
            if getattr(form.members, "invalid", False):
                raise Invalid(_("Membre inconnu."), field="members")
            with transaction():
                channel = services.check_open_direct(current_user, form.members.data or [])
        except Invalid as error:
            form.add_error(error)
        else:
            return redirect(url_for("chat.channel", channel_id=channel.id))
    return _render_index(ChannelForm(formdata=None), form, status=400)


@bp.get("/non-lus")
def unread():
    counts = services.unread_counts(current_user)
    return jsonify({"total": counts.total, "total_unread": counts.total,
                    "channels": {str(cid): n for cid, n in sorted(counts.channels.items())}})


# A channel -------------------------------------------------------------------------------------

def _render_channel(channel_id: int, status: int = 200, *, draft: str = "",
                    error: str | None = None, client_id: str | None = None):
    page = services.channel_page(current_user, channel_id, _cursor(), reading=status == 200)
    membership = page.access.membership
    invite_form = None
    if page.invite_choices is not None:
        invite_form = InviteForm(formdata=None)
        invite_form.members.choices = page.invite_choices
    preferences = None
    if membership is not None:
        preferences = PreferencesForm(formdata=None, muted=membership.muted,
                                      notify_level=membership.notify_level)
    html = render_template(
        "chat/channel.html", access=page.access, channel=page.channel,
        messages=page.messages, has_older=page.has_older, before_id=page.before_id,
        lists=page.lists, q="", current_id=page.channel.id,
        message_html=lambda message: message_html(current_user, page.access, message),
        members=page.members, member_count=page.member_count, title=page.title,
        statuses=page.statuses, first_unread=page.first_unread, invite_form=invite_form,
        preferences=preferences, draft=draft, error=error,
        client_id=client_id or secrets.token_urlsafe(16),
        message_max=current_app.config["CHAT_MESSAGE_MAX"], read_up_to=page.read_up_to,
        can_post=page.can_post, can_manage=page.can_manage, NOTIFY_LABELS=NOTIFY_LABELS,
        chat_unread_badge=lambda: page.badge)
    if page.marks_read:
        # A deliberate write on GET: opening a conversation reads what it shows, as in
        # Slack or Mattermost, and this is the only way it gets read without JavaScript
        # (with it, chat.js sends `chat:read` as messages come into view).
        with transaction():
            services.do_read(current_user, page.access, page.channel.last_message_id)
    # The page just counted the member's unread messages: the next pages' menu badge
    # needs no query (a per-process cache, nothing stored).
    services.do_remember_badge(current_user, page.badge)
    return html, status


@bp.route(f"/{CHANNEL}", methods=["GET", "POST"])
def channel(channel_id: int):
    if request.method == "GET":
        return _render_channel(channel_id)
    body = request.form.get("body", "")
    client_id = request.form.get("client_id", "")
    try:
        with transaction():
            sent = services.check_send(current_user, channel_id, body, client_id)
    except Invalid as error:
        return _render_channel(channel_id, 400,
                               draft=body, error=str(error.message or _(
                                   "Ce message n'a pas pu être envoyé.")),
                               client_id=client_id if services.CLIENT_ID_RE.fullmatch(
                                   client_id) else None)
    except RateLimited as error:
        return _render_channel(channel_id, 429,
                               draft=body, error=str(error.message), client_id=client_id)
    return redirect(url_for("chat.channel", channel_id=channel_id,
                            _anchor=f"message-{sent.message.id}"))


@bp.post(f"/{CHANNEL}/rejoindre")
def join(channel_id: int):
    with transaction():
        access = services.check_join(current_user, channel_id)
    flash(_("Vous avez rejoint « %(name)s ».", name=access.channel.name), "success")
    return redirect(url_for("chat.channel", channel_id=channel_id))


@bp.post(f"/{CHANNEL}/quitter")
def leave(channel_id: int):
    with transaction():
        services.check_leave(current_user, channel_id)
    flash(_("Vous avez quitté le salon."), "info")
    return redirect(url_for("chat.index"))


@bp.post(f"/{CHANNEL}/inviter")
def invite(channel_id: int):
    form = InviteForm()
    try:
        if getattr(form.members, "invalid", False):
            raise Invalid(_("Membre inconnu."), field="members")
        with transaction():
            added = services.check_invite(current_user, channel_id, form.members.data or [])
    except Invalid as error:
        flash(str(error.message or _("Invitation impossible.")), "error")
    else:
        if added:
            flash(_("Invitation envoyée : %(names)s.",
                    names=", ".join(u.display_name for u in added)), "success")
    return redirect(url_for("chat.channel", channel_id=channel_id))


@bp.post(f"/{CHANNEL}/membres/{MEMBER}/retirer")
def remove_member(channel_id: int, user_id: int):
    try:
        with transaction():
            services.check_remove_member(current_user, channel_id, user_id)
    except Invalid as error:
        flash(str(error.message), "error")
    else:
        flash(_("Le membre a été retiré du salon."), "info")
    return redirect(url_for("chat.channel", channel_id=channel_id))


@bp.post(f"/{CHANNEL}/reglages")
def preferences(channel_id: int):
    form = PreferencesForm()
    with transaction():
        services.check_set_preferences(current_user, channel_id, muted=bool(form.muted.data),
                                       notify_level=form.notify_level.data or "")
    flash(_("Réglages enregistrés."), "success")
    return redirect(url_for("chat.channel", channel_id=channel_id))


# A message -------------------------------------------------------------------------------------

@bp.route(f"/messages/{MESSAGE}/modifier", methods=["GET", "POST"])
def edit_message(message_id: int):
    target = services.access_message(current_user, message_id)
    if target.message.deleted_at is not None:
        raise NotFound()
    require(current_user, "chat.message.edit", target)
    form = EditMessageForm(obj=target.message)
    form.body.render_kw = {**(form.body.render_kw or {}),
                           "maxlength": current_app.config["CHAT_MESSAGE_MAX"]}
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_edit(current_user, message_id, form.body.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Message modifié."), "success")
            return redirect(url_for("chat.channel", channel_id=target.message.channel_id,
                                    _anchor=f"message-{message_id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("chat/edit_message.html", target=target, form=form,
                           title=services.channel_title(current_user, target.access)), status


@bp.post(f"/messages/{MESSAGE}/supprimer")
def delete_message(message_id: int):
    target = services.access_message(current_user, message_id)
    form = DeleteMessageForm()
    with transaction():
        services.check_delete(current_user, message_id, form.reason.data or "")
    flash(_("Le message est supprimé."), "info")
    return redirect(url_for("chat.channel", channel_id=target.message.channel_id,
                            _anchor=f"message-{message_id}"))


@bp.get(f"/messages/{MESSAGE}/versions")
def message_revisions(message_id: int):
    target = services.access_message(current_user, message_id)
    items = services.revisions(current_user, message_id)
    return render_template("chat/revisions.html", target=target, revisions=items,
                           title=services.channel_title(current_user, target.access))

