"""A small network for moderation tests: two walls, an author, a reporter, a moderator,
an admin, and helpers to publish, report and act in one line."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.db import transaction
from app.extensions import db
from app.moderation import services
from app.moderation.models import ModerationAction, Report
from app.notifications.models import Notification
from app.walls import services as walls
from tests.conftest import login
from tests.factories import make_user

_bodies = itertools.count(1)


@pytest.fixture
def net(app):
    moderator = make_user(name="Mehdi Benali", email="mehdi@exemple.fr", role="moderator")
    with transaction():
        general = walls.check_create_wall(moderator, "Mur général")
        general.is_general = True
        emploi = walls.check_create_wall(moderator, "Emploi et insertion")
    return SimpleNamespace(
        moderator=moderator,
        admin=make_user(name="Claire Dubois", email="claire@exemple.fr", role="admin"),
        author=make_user(name="Paul Lefèvre", email="paul@exemple.fr"),
        reporter=make_user(name="Sophie Martin", email="sophie@exemple.fr"),
        other=make_user(name="Léa Fontaine", email="lea@exemple.fr"),
        wall=general, wall2=emploi,
    )


def publish(author, wall, body=None, **kwargs):
    with transaction():
        return walls.check_create_post(
            author, wall, body=body or f"Retour d'expérience n° {next(_bodies)}", **kwargs)


def comment_on(author, post, body=None):
    with transaction():
        loaded = walls.access_post(author, post.id)
        return walls.check_create_comment(author, loaded, body or f"Réponse n° {next(_bodies)}")


def report(user, target, reason="abusive", text="", target_type=None):
    target_type = target_type or ("post" if type(target).__name__ == "Post" else "comment")
    with transaction():
        return services.check_report(user, target_type, target.id, reason, text)


def act(user, target_type, target_id, action, reason="", wall_id=None):
    with transaction():
        return services.check_act(user, target_type, target_id, action, reason=reason,
                                  wall_id=wall_id)


def as_user(client, user):
    client.post("/deconnexion")
    login(client, user)
    return client


def log_rows(**where) -> list[ModerationAction]:
    stmt = select(ModerationAction).order_by(ModerationAction.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(ModerationAction, key) == value)
    return list(db.session.scalars(stmt))


def open_reports() -> list[Report]:
    return list(db.session.scalars(select(Report).where(Report.status == "open")))


def moderation_notifications(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "moderation")
        .order_by(Notification.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
