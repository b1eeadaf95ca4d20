"""Routes of the agenda feature."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

bp = Blueprint("agenda", __name__, url_prefix="/agenda")


@bp.get("/")
def index():
    return render_template("core/section.html", title=_l("Agenda"))
