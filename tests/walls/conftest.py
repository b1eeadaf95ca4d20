"""Walls fixtures: the general wall (the migration creates it; create_all does not), a few
members, and helpers to publish through the services as the views do."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.db import transaction
from app.extensions import db, socketio
from app.walls import services
from app.walls.models import Wall
from tests.conftest import login
from tests.factories import make_user


@pytest.fixture
def general_wall(app) -> Wall:
    with transaction():
        wall = services.do_ensure_general_wall()
    return wall


@pytest.fixture
def other(app):
    """A second member, to see what others see."""
    return make_user(name="Hélène Garnier", email="helene@exemple.fr",
                     organisation="Fondation Terres d'Avenir")


@pytest.fixture
def suspended(app):
    return make_user(name="Hervé Suspendu", email="herve@exemple.fr", status="suspended")


@pytest.fixture
def theme_wall(app, moderator) -> Wall:
    with transaction():
        wall = services.check_create_wall(moderator, "Mobilité rurale",
                                          "Transport à la demande, covoiturage…")
    return wall


def publish(author, wall, body="Bonjour à toutes et tous", **kwargs):
    """Create a post through the service inside one transaction, like a view does."""
    with transaction():
        post = services.check_create_post(author, services.access_wall(author, wall.id),
                                          body=body, **kwargs)
    return post


def comment_on(author, post, body="Merci pour ce partage", parent_id=None):
    with transaction():
        comment = services.check_create_comment(
            author, services.access_post(author, post.id), body, parent_id)
    return comment


def as_user(client, user):
    client.post("/deconnexion")
    login(client, user)
    return client


def socket_for(app, client):
    return socketio.test_client(app, flask_test_client=client)


def png_bytes(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (11, 95, 107)).save(out, "PNG")
    return out.getvalue()


PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)
