"""chat

Revision ID: 8bc9b72e6cc6
Revises: d120d4cdafa6
Create Date: 2026-11-23 17:18:25.382551

Channels (public, private, direct messages, owned by another feature), their members with
read markers and notification settings, messages (unique per author and client id, so a
retried send is found again; indexed by channel and id for keyset history) and the
previous versions of edited messages. Reviewed by hand: no data to move.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8bc9b72e6cc6'
down_revision = 'd120d4cdafa6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chat_channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('topic', sa.String(length=250), nullable=False),
    sa.Column('owner_type', sa.String(length=40), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('direct_key', sa.String(length=100), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('public', 'private', 'direct', 'owned')", name=op.f('ck_chat_channels_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_chat_channels_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_channels')),
    sa.UniqueConstraint('direct_key', name=op.f('uq_chat_channels_direct_key')),
    sa.UniqueConstraint('owner_type', 'owner_id', name='uq_chat_channels_owner')
    )
    op.create_table('chat_members',
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_read_id', sa.Integer(), nullable=False),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.Column('notify_level', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['chat_channels.id'], name=op.f('fk_chat_members_channel_id_chat_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chat_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', 'user_id', name=op.f('pk_chat_members'))
    )
    op.create_index('ix_chat_members_user', 'chat_members', ['user_id'], unique=False)

    op.create_table('chat_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_chat_messages_author_id_users')),
    sa.ForeignKeyConstraint(['channel_id'], ['chat_channels.id'], name=op.f('fk_chat_messages_channel_id_chat_channels')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_chat_messages_deleted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_messages')),
    sa.UniqueConstraint('author_id', 'client_id', name='uq_chat_messages_author_client')
    )
    op.create_index('ix_chat_messages_channel', 'chat_messages', ['channel_id', 'id'],
                    unique=False)

    op.create_table('chat_message_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_chat_message_revisions_editor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['chat_messages.id'], name=op.f('fk_chat_message_revisions_message_id_chat_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_message_revisions'))
    )
    op.create_index(op.f('ix_chat_message_revisions_message_id'), 'chat_message_revisions',
                    ['message_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_chat_message_revisions_message_id'),
                  table_name='chat_message_revisions')
    op.drop_table('chat_message_revisions')
    op.drop_index('ix_chat_messages_channel', table_name='chat_messages')
    op.drop_table('chat_messages')
    op.drop_index('ix_chat_members_user', table_name='chat_members')
    op.drop_table('chat_members')
    op.drop_table('chat_channels')
