"""Routes of the projects feature."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

bp = Blueprint("projects", __name__, url_prefix="/projets")


@bp.get("/")
def index():
    return render_template("core/section.html", title=_l("Espace Projets"))
