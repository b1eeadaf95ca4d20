"""projects

Revision ID: b2c8d4e0f3a5
Revises: a1b7c3d9e2f4
Create Date: 2026-11-23 09:00:00.000000

Project spaces: projects, members, join requests, actions, meetings.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2c8d4e0f3a5'
down_revision = 'a1b7c3d9e2f4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
