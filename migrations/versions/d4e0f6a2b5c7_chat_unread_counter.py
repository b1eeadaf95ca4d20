"""chat unread counter

Revision ID: d4e0f6a2b5c7
Revises: c3d9e5f1a4b6
Create Date: 2026-11-23 10:30:00.000000

Each membership keeps the number of others' live messages after its read marker, so badges
after every message read one row per member instead of recounting their backlog. Filled for
existing rows from the messages themselves. Reviewed by hand.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e0f6a2b5c7'
down_revision = 'c3d9e5f1a4b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chat_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unread', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute(
        "UPDATE chat_members SET unread = ("
        "SELECT count(chat_messages.id) FROM chat_messages"
        " WHERE chat_messages.channel_id = chat_members.channel_id"
        " AND chat_messages.id > chat_members.last_read_id"
        " AND chat_messages.author_id != chat_members.user_id"
        " AND chat_messages.deleted_at IS NULL)")


def downgrade():
    with op.batch_alter_table('chat_members', schema=None) as batch_op:
        batch_op.drop_column('unread')
