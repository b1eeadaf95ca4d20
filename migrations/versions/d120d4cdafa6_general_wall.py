"""general wall

Revision ID: d120d4cdafa6
Revises: 64e5299710ef
Create Date: 2026-11-23 16:29:55.881131

A data migration: every installation starts with the network's general wall
(app.walls.services.GENERAL_WALL holds the same values for databases made by create_all).
The values are written out here, not imported, so that this revision never changes.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd120d4cdafa6'
down_revision = '64e5299710ef'
branch_labels = None
depends_on = None

walls = sa.table(
    "walls",
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("is_general", sa.Boolean),
    sa.column("premoderation", sa.String),
    sa.column("position", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade():
    op.bulk_insert(walls, [{
        "slug": "general",
        "name": "Mur général",
        "description": "Le mur de tout le réseau : questions, partages d'expériences, annonces.",
        "is_general": True,
        "premoderation": "off",
        "position": 0,
        "created_at": datetime.now(UTC),
    }])


def downgrade():
    # Refused by the database (foreign key) once members have posted on it: their posts
    # must not vanish with a schema downgrade.
    op.execute(walls.delete().where(walls.c.slug == "general"))
