"""The projects blueprint and what its view modules share: routes' id slots, flood limits,
the tab renderer, the template helpers."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    render_template,
    request,
)
from flask_login import current_user

from ...db import valid_id
from ...extensions import limiter
from ...web import member_rate_key
from .. import services

bp = Blueprint("projects", __name__, url_prefix="/projets")

PROJECT = "/<int(max=2147483647):project_id>"
ITEM = "<int(max=2147483647):item_id>"


def succeeded(response) -> bool:
    return response.status_code in (302, 303)


# Creating projects, join requests and actions is what a runaway script would flood.
write_limit = limiter.limit("30 per minute;300 per hour", methods=["POST"],
                            key_func=member_rate_key, deduct_when=succeeded)
create_limit = limiter.limit("5 per minute;30 per day", methods=["POST"],
                             key_func=member_rate_key, deduct_when=succeeded)
# Uploads: the library's own limit for its submissions, counted per member.
upload_limit = limiter.limit("60 per hour", methods=["POST"], key_func=member_rate_key,
                             deduct_when=lambda r: r.status_code in (201, 302, 303))


@bp.app_context_processor
def _helpers():
    """`my_projects()` for the home page and `member_projects(user)` for profiles."""
    return {
        "my_projects": lambda: services.my_projects(current_user),
        "member_projects": lambda user: services.projects_of(current_user, user.id),
        "PROJECT_STATUS_LABELS": services.STATUS_LABELS,
    }


def cursor() -> int | None:
    value = request.args.get("avant", type=int)
    return value if valid_id(value) else None


def cover_upload() -> bytes | None:
    upload = request.files.get("cover")
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(current_app.config["AVATAR_MAX_BYTES"] * 2 + 1)


def render_tab(template: str, access, tab: str, status: int = 200, **context):
    return render_template(f"projects/{template}", access=access, project=access.project,
                           tab=tab, **context), status
