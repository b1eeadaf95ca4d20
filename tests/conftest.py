"""Fixtures: a fresh application and database for every test (SQLite by default,
PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from app import create_app, jobs, taxonomy
from app.db import transaction
from app.extensions import db, limiter
from tests.factories import PASSWORD, make_user


@pytest.fixture
def app_overrides(tmp_path):
    """Tests override this fixture (or extend it) to change the configuration."""
    return {}


class FreshRequestClient(FlaskClient):
    """Starts every request with an empty `g`, as in production.

    The fixture keeps one app context open for the whole test (so tests can use the
    database directly); requests reuse it, and without this the logged-in user and
    the locale cached on `g` by Flask-Login and Flask-Babel would leak between requests.
    """

    def open(self, *args, **kwargs):
        for key in list(vars(g)):
            delattr(g, key)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path, app_overrides):
    overrides = {"UPLOAD_DIR": str(tmp_path / "uploads"), **app_overrides}
    app = create_app("testing", overrides)
    app.test_client_class = FreshRequestClient
    with app.app_context():
        _fresh_database()
        with transaction():
            taxonomy.sync_terms(taxonomy.read_file(app.config["TAXONOMY_FILE"]))
        limiter.reset()
        yield app
        db.session.remove()
        if db.engine.dialect.name == "sqlite":
            db.drop_all()
        db.engine.dispose()


_schema_checked = False


def _fresh_database() -> None:
    """An empty schema for the test.

    SQLite in memory is new for every app. On PostgreSQL, creating every table per test
    dominates the run, so the schema is rebuilt once per test run (a database left by an
    older version of the models must not decide the outcome) and then emptied with DELETEs
    (faster than TRUNCATE on small tables); it is rebuilt again when a test (the migration
    tests) dropped it.
    """
    global _schema_checked
    if db.engine.dialect.name != "postgresql":
        db.drop_all()
        db.create_all()
        return
    if not _schema_checked:
        _rebuild_schema()
        _schema_checked = True
        return
    try:
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    except ProgrammingError:
        _rebuild_schema()


def _rebuild_schema() -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    """Messages sent through the locmem mail backend during the test."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox


@pytest.fixture
def member(app):
    return make_user(name="Sophie Martin", email="sophie@exemple.fr")


@pytest.fixture
def admin(app):
    return make_user(name="Claire Dubois", email="claire@exemple.fr", role="admin")


@pytest.fixture
def moderator(app):
    return make_user(name="Mehdi Benali", email="mehdi@exemple.fr", role="moderator")


def login(client, user_or_email, password: str = PASSWORD, remember: bool = False):
    email = getattr(user_or_email, "email", user_or_email)
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/connexion", data=data)


@pytest.fixture
def as_member(client, member):
    login(client, member)
    return client


@pytest.fixture
def as_admin(client, admin):
    login(client, admin)
    return client


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {'PostgreSQL (' + url + ')' if url else 'SQLite in memory'}"


@pytest.fixture
def runner(monkeypatch):
    """A fresh in-process job pool for the test (another test's failures are not its own)."""
    fresh = jobs.LocalRunner()
    monkeypatch.setattr(jobs, "_local", fresh)
    return fresh
