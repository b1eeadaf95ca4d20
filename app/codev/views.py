"""Routes of the codev feature."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

bp = Blueprint("codev", __name__, url_prefix="/codeveloppement")


@bp.get("/")
def index():
    return render_template("core/section.html", title=_l("Codéveloppement"))
