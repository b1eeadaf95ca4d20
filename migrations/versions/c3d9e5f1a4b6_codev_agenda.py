"""codev_agenda

Revision ID: c3d9e5f1a4b6
Revises: b2c8d4e0f3a5
Create Date: 2026-11-23 09:00:00.000000

Co-development sessions and the agenda's events.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d9e5f1a4b6'
down_revision = 'b2c8d4e0f3a5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
