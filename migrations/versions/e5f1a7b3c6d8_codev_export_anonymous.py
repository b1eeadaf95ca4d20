"""codev export links, anonymous library documents

Revision ID: e5f1a7b3c6d8
Revises: d4e0f6a2b5c7
Create Date: 2026-11-24 09:00:00.000000

A co-development action item remembers the project action it was exported to, so exporting
the plan again does not duplicate it. A library document may be filed anonymously (the
anonymised record of a session): readers and the feed are not told who submitted it.
Reviewed by hand.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f1a7b3c6d8'
down_revision = 'd4e0f6a2b5c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymous', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    with op.batch_alter_table('codev_contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exported_action_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_codev_contributions_exported_action_id_project_actions'),
            'project_actions', ['exported_action_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('codev_contributions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_codev_contributions_exported_action_id_project_actions'),
            type_='foreignkey')
        batch_op.drop_column('exported_action_id')

    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.drop_column('anonymous')
