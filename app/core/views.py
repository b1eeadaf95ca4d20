from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text

from ..errors import NotFound
from ..extensions import db
from ..members import services as members
from ..permissions import require

bp = Blueprint("core", __name__)

# Sections of the product that later capabilities fill; the navigation shows them all.
UPCOMING = {
    "murs": _l("Murs de discussion"),
    "chat": _l("Chat"),
    "projets": _l("Espace Projets"),
    "bibliotheque": _l("Espace documentaire"),
    "moderation": _l("Modération"),
}


@bp.get("/")
def home():
    newest = members.newest_members(current_user, limit=6)
    return render_template("core/home.html", newest=newest)


@bp.get("/rubrique/<slug>")
def section(slug: str):
    if slug not in UPCOMING:
        raise NotFound()
    if slug == "moderation":
        require(current_user, "moderation.access")
    return render_template("core/section.html", title=UPCOMING[slug])


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
