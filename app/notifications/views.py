"""The notification centre, preferences, the unread badge and the digest's unsubscribe link.

The news feed itself is shown on the home page (core.home renders
templates/notifications/_feed.html from `services.feed`).
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import transaction
from ..errors import Invalid, NotFound
from ..extensions import csrf
from ..permissions import require
from ..text import safe_path
from . import services
from .forms import DELIVERY_LABELS, KIND_SHORT_LABELS, PREFIX, PreferencesForm

bp = Blueprint("notifications", __name__)


@bp.before_request
def _members_only():
    # The unsubscribe link works without logging in: its signed token is the credential.
    if request.endpoint != "notifications.unsubscribe":
        require(current_user, "notifications.view")


@bp.get("/notifications")
def centre():
    before_id = request.args.get("avant", type=int)
    page = services.notifications_page(current_user, before_id=before_id)
    return render_template("notifications/centre.html", page=page, kind_labels=KIND_SHORT_LABELS)


@bp.post("/notifications/<int:notification_id>/lu")
def mark_read(notification_id: int):
    with transaction():
        notification = services.check_mark_read(current_user, notification_id)
    return redirect(safe_path(notification.url) or url_for("notifications.centre"))


@bp.post("/notifications/tout-lu")
def mark_all_read():
    with transaction():
        services.do_mark_all_read(current_user)
    flash(_("Toutes vos notifications sont marquées comme lues."), "success")
    return redirect(url_for("notifications.centre"))


@bp.get("/notifications/non-lues")
def unread():
    return jsonify({"unread": services.unread_count(current_user)})


@bp.route("/notifications/preferences", methods=["GET", "POST"])
def preferences():
    form = PreferencesForm(prefix=PREFIX, data=services.preferences(current_user))
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_set_preferences(current_user, form.submitted(request.form))
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Vos préférences de notification sont enregistrées."), "success")
            return redirect(url_for("notifications.preferences"))
    status = 400 if request.method == "POST" else 200
    return render_template("notifications/preferences.html", form=form,
                           delivery_labels=DELIVERY_LABELS), status


# RFC 8058 one-click unsubscribe: mail providers POST here without any session or CSRF
# token; the signed token is what authorises the change.
@bp.route("/notifications/desabonnement/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    try:
        services.user_for_unsubscribe_token(token)
    except NotFound:
        return render_template("notifications/invalid_link.html"), 404
    if request.method == "POST":
        with transaction():
            services.check_unsubscribe(token)
        return render_template("notifications/unsubscribed.html")
    return render_template("notifications/unsubscribe.html", token=token)
