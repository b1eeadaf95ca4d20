"""The Alembic history builds the schema from empty and matches the models exactly."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from app import create_app
from app.extensions import db
from app.walls import services as walls
from app.walls.models import Wall


@pytest.fixture
def empty_database(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _drop_everything()
        yield app
        _drop_everything()


def _drop_everything() -> None:
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_from_empty_then_check_is_clean(empty_database):
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "profiles", "invitations", "taxonomy_terms", "alembic_version"} <= tables
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_base_and_up_again(empty_database):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()


def test_flask_db_check_command(empty_database):
    runner = empty_database.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_the_migration_creates_the_general_wall(empty_database):
    upgrade()
    wall = walls.general_wall()
    assert (wall.slug, wall.name, wall.is_general, wall.premoderation) == (
        "general", "Mur général", True, "off")
    assert wall.description.startswith("Le mur de tout le réseau")
    assert wall.created_at.tzinfo is not None
    db.session.remove()
    downgrade(revision="64e5299710ef")
    assert db.session.scalar(select(func.count()).select_from(Wall)) == 0
    db.session.remove()
    upgrade()
    assert walls.general_wall() is not None
