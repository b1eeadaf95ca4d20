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
    op.create_table('agenda_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('visio_url', sa.String(length=500), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('source_type', sa.String(length=30), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('organizer_id', sa.Integer(), nullable=True),
    sa.Column('replay_url', sa.String(length=500), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('webinaire', 'animation', 'rencontre', 'codev', 'projet', 'autre')", name=op.f('ck_agenda_events_kind')),
    sa.CheckConstraint("visibility IN ('network', 'invited')", name=op.f('ck_agenda_events_visibility')),
    sa.ForeignKeyConstraint(['organizer_id'], ['users.id'], name=op.f('fk_agenda_events_organizer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_events')),
    sa.UniqueConstraint('source_type', 'source_id', name='uq_agenda_events_source')
    )

    with op.batch_alter_table('agenda_events', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_events_starts', ['starts_at', 'id'], unique=False)

    op.create_table('agenda_feed_tokens',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_feed_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_agenda_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_agenda_feed_tokens_token_hash'))
    )

    op.create_table('agenda_rsvps',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('going', 'waiting', 'invited', 'declined')", name=op.f('ck_agenda_rsvps_state')),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_events.id'], name=op.f('fk_agenda_rsvps_event_id_agenda_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_rsvps_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_agenda_rsvps'))
    )

    with op.batch_alter_table('agenda_rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_rsvps_queue', ['event_id', 'state', 'updated_at'], unique=False)
        batch_op.create_index('ix_agenda_rsvps_user', ['user_id', 'event_id'], unique=False)

    op.create_table('agenda_event_documents',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('slides', 'minutes')", name=op.f('ck_agenda_event_documents_kind')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_agenda_event_documents_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_events.id'], name=op.f('fk_agenda_event_documents_event_id_agenda_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'document_id', name=op.f('pk_agenda_event_documents'))
    )

    op.create_table('codev_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('visio_url', sa.String(length=500), nullable=False),
    sa.Column('confidentiality', sa.String(length=20), nullable=False),
    sa.Column('open_to_requests', sa.Boolean(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('durations', sa.JSON(), nullable=False),
    sa.Column('phase_index', sa.Integer(), nullable=False),
    sa.Column('phase_code', sa.String(length=40), nullable=False),
    sa.Column('phase_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('phase_planned_seconds', sa.Integer(), nullable=False),
    sa.Column('phase_extra_seconds', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("confidentiality IN ('participants', 'strict')", name=op.f('ck_codev_sessions_confidentiality')),
    sa.CheckConstraint("status IN ('scheduled', 'live', 'ended', 'cancelled')", name=op.f('ck_codev_sessions_status')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_codev_sessions_client_id_users')),
    sa.ForeignKeyConstraint(['facilitator_id'], ['users.id'], name=op.f('fk_codev_sessions_facilitator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codev_sessions'))
    )

    with op.batch_alter_table('codev_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_codev_sessions_scheduled', ['scheduled_at', 'id'], unique=False)

    op.create_table('codev_participants',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('hand_raised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('facilitator', 'client', 'consultant')", name=op.f('ck_codev_participants_role')),
    sa.CheckConstraint("state IN ('invited', 'accepted', 'requested', 'declined')", name=op.f('ck_codev_participants_state')),
    sa.ForeignKeyConstraint(['session_id'], ['codev_sessions.id'], name=op.f('fk_codev_participants_session_id_codev_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_codev_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_codev_participants'))
    )

    with op.batch_alter_table('codev_participants', schema=None) as batch_op:
        batch_op.create_index('ix_codev_participants_user', ['user_id'], unique=False)

    op.create_table('codev_contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('question', 'request', 'suggestion', 'action', 'lesson')", name=op.f('ck_codev_contributions_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_codev_contributions_author_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['codev_sessions.id'], name=op.f('fk_codev_contributions_session_id_codev_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['codev_contributions.id'], name=op.f('fk_codev_contributions_source_id_codev_contributions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codev_contributions'))
    )

    with op.batch_alter_table('codev_contributions', schema=None) as batch_op:
        batch_op.create_index('ix_codev_contributions_session', ['session_id', 'id'], unique=False)

    op.create_table('codev_records',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('anonymised_body', sa.Text(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_ref', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['codev_sessions.id'], name=op.f('fk_codev_records_session_id_codev_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_codev_records'))
    )


def downgrade():
    op.drop_table('codev_records')

    with op.batch_alter_table('codev_contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_codev_contributions_session')

    op.drop_table('codev_contributions')

    with op.batch_alter_table('codev_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_codev_participants_user')

    op.drop_table('codev_participants')

    with op.batch_alter_table('codev_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_codev_sessions_scheduled')

    op.drop_table('codev_sessions')

    with op.batch_alter_table('agenda_rsvps', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_rsvps_queue')
        batch_op.drop_index('ix_agenda_rsvps_user')

    op.drop_table('agenda_rsvps')

    op.drop_table('agenda_feed_tokens')

    op.drop_table('agenda_event_documents')

    with op.batch_alter_table('agenda_events', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_events_starts')

    op.drop_table('agenda_events')
