from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import text

from ..db import transaction
from ..extensions import db
from ..members import services as members
from ..notifications import services as notifications
from ..walls import services as walls
from ..web import RETRY_AFTER_SECONDS, forget_database_state, redis_status

bp = Blueprint("core", __name__)

@bp.get("/")
def home():
    """The news feed: followed walls and posts, plus the general wall everyone reads."""
    before_id = request.args.get("avant", type=int)
    general = walls.general_wall()
    extra = [("wall", general.id)] if general is not None else []
    feed = notifications.feed(current_user, extra_contexts=extra, before_id=before_id)
    newest = members.newest_members(current_user, limit=6)
    page = render_template("core/home.html", newest=newest, feed=feed)
    # A write on GET, on purpose: seeing the feed is what moves the "Nouveau" marker (as
    # Discourse's "last visit"), after rendering so this page still shows what was new.
    # Paging back must not move it.
    if before_id is None:
        with transaction():
            notifications.do_mark_feed_seen(current_user)
    return page


@bp.get("/healthz")
def healthz():
    """For load balancers and monitoring, whoever asks (no login, no session read).

    503 when the database cannot be reached: nothing works without it. A Redis outage is
    reported (`"redis": "unavailable"`) but stays 200: pages, login and chat keep working,
    degraded (rate limits per process, live delivery only within one process). "redis" is
    absent when no REDIS_URL is configured.
    """
    report = {"status": "ok", "database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        forget_database_state()
        report.update(status="unavailable", database="unavailable")
    redis = redis_status()
    if redis is not None:
        report["redis"] = redis
    if report["database"] != "ok":
        return jsonify(report), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(report)
