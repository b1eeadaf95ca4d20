"""library

Revision ID: a1b7c3d9e2f4
Revises: 8bc9b72e6cc6
Create Date: 2026-11-23 09:00:00.000000

Document library: documents, versions, collections, full-text index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b7c3d9e2f4'
down_revision = '8bc9b72e6cc6'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
