"""A few members and helpers to write activities and notifications in one line."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.db import transaction
from app.notifications import services
from tests.factories import make_user


@pytest.fixture
def people(app):
    return SimpleNamespace(
        sophie=make_user(name="Sophie Martin", email="sophie@exemple.fr"),
        paul=make_user(name="Paul Lefèvre", email="paul@exemple.fr"),
        lea=make_user(name="Léa Fontaine", email="lea@exemple.fr"),
        herve=make_user(name="Hervé Suspendu", email="herve@exemple.fr", status="suspended"),
    )


def record(verb="post.created", actor=None, object_type="post", object_id=1, **kwargs):
    kwargs.setdefault("data", {"title": f"{verb} {object_type} {object_id}",
                               "excerpt": "Un extrait", "url": f"/murs/messages/{object_id}",
                               "context_name": "Mur général"})
    with transaction():
        return services.do_record_activity(verb, actor, object_type, object_id, **kwargs)


def notify(user, kind="reply", actor=None, object_type="post", object_id=1, text=None,
           url="/murs/messages/1"):
    with transaction():
        return services.do_notify(user.id, kind, actor, object_type, object_id,
                                  text=text or f"{kind} pour {user.display_name}", url=url)


def follow(user, target_type, target_id):
    with transaction():
        return services.do_follow(user, target_type, target_id)


def set_prefs(user, **values):
    with transaction():
        services.check_set_preferences(user, values)
