"""library

Revision ID: a1b7c3d9e2f4
Revises: 8bc9b72e6cc6
Create Date: 2026-11-23 09:00:00.000000

Document library: documents, versions, collections, full-text index.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'a1b7c3d9e2f4'
down_revision = '8bc9b72e6cc6'
branch_labels = None
depends_on = None


# The full-text index over library_search (app/library/fts.py, copied here so that this
# revision stays what it was when written): an FTS5 table kept in step by triggers on
# SQLite, GIN indexes over the stored tsvectors on PostgreSQL.
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE library_fts USING fts5(scope, title, meta, body, "
    "content='library_search', content_rowid='document_id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER library_search_ai AFTER INSERT ON library_search BEGIN "
    "INSERT INTO library_fts(rowid, scope, title, meta, body) "
    "VALUES (new.document_id, new.scope, new.title, new.meta, new.body); END",
    "CREATE TRIGGER library_search_ad AFTER DELETE ON library_search BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, scope, title, meta, body) "
    "VALUES ('delete', old.document_id, old.scope, old.title, old.meta, old.body); END",
    "CREATE TRIGGER library_search_au AFTER UPDATE OF scope, title, meta, body "
    "ON library_search BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, scope, title, meta, body) "
    "VALUES ('delete', old.document_id, old.scope, old.title, old.meta, old.body); "
    "INSERT INTO library_fts(rowid, scope, title, meta, body) "
    "VALUES (new.document_id, new.scope, new.title, new.meta, new.body); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS library_search_ai",
    "DROP TRIGGER IF EXISTS library_search_ad",
    "DROP TRIGGER IF EXISTS library_search_au",
    "DROP TABLE IF EXISTS library_fts",
)
PG_CREATE = ("CREATE INDEX ix_library_search_vector ON library_search USING gin (vector)",
             "CREATE INDEX ix_library_search_head ON library_search USING gin (head)")
# Documents and versions reference each other: this side is added once both tables exist
# (inline on SQLite, which cannot add a constraint later and does not need to).
CURRENT_VERSION_FK = 'fk_library_documents_current_version_id_library_versions'


def _create_search_index():
    dialect = op.get_bind().dialect.name
    statements = SQLITE_CREATE if dialect == "sqlite" else PG_CREATE if dialect == "postgresql" else ()
    for statement in statements:
        op.execute(statement)


def _drop_search_index():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_library_search_head")
        op.execute("DROP INDEX IF EXISTS ix_library_search_vector")


def upgrade():
    op.create_table('library_collections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_library_collections_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_collections')),
    sa.UniqueConstraint('slug', name=op.f('uq_library_collections_slug'))
    )
    op.create_table('library_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=40), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('authors', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('document_type_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('licence', sa.String(length=20), nullable=False),
    sa.Column('keywords', sa.String(length=500), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('download_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('proposed_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'changes', 'published', 'rejected', 'unpublished')", name=op.f('ck_library_documents_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_library_documents_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_type_id'], ['taxonomy_terms.id'], name=op.f('fk_library_documents_document_type_id_taxonomy_terms')),
    sa.ForeignKeyConstraint(['proposed_from_id'], ['library_documents.id'], name=op.f('fk_library_documents_proposed_from_id_library_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['current_version_id'], ['library_versions.id'], name=CURRENT_VERSION_FK, ondelete='SET NULL', use_alter=True),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_library_documents_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_documents'))
    )
    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_documents_document_type_id'), ['document_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_documents_proposed_from_id'), ['proposed_from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_documents_published_at'), ['published_at'], unique=False)
        batch_op.create_index('ix_library_documents_shelf', ['owner_type', 'owner_id', 'state', 'published_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_documents_submitted_by_id'), ['submitted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_documents_year'), ['year'], unique=False)

    op.create_table('library_collection_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['library_collections.id'], name=op.f('fk_library_collection_items_collection_id_library_collections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_collection_items_document_id_library_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_collection_items')),
    sa.UniqueConstraint('collection_id', 'document_id', name='uq_library_collection_items_collection')
    )
    with op.batch_alter_table('library_collection_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_collection_items_document_id'), ['document_id'], unique=False)

    op.create_table('library_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_library_comments_author_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_library_comments_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_comments_document_id_library_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_comments'))
    )
    with op.batch_alter_table('library_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_library_comments_document', ['document_id', 'id'], unique=False)

    op.create_table('library_document_terms',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_document_terms_document_id_library_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['taxonomy_terms.id'], name=op.f('fk_library_document_terms_term_id_taxonomy_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'term_id', name=op.f('pk_library_document_terms'))
    )
    with op.batch_alter_table('library_document_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_document_terms_term_id'), ['term_id'], unique=False)

    op.create_table('library_facet_counts',
    sa.Column('scope', sa.String(length=60), nullable=False),
    sa.Column('facet', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'facet', name=op.f('pk_library_facet_counts'))
    )
    op.create_table('library_search',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=60), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('meta', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('head', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('facets', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_search_document_id_library_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_library_search'))
    )
    op.create_table('library_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('extension', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('text_state', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_versions_document_id_library_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_library_versions_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_versions')),
    sa.UniqueConstraint('document_id', 'number', name='uq_library_versions_document')
    )
    with op.batch_alter_table('library_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_versions_sha256'), ['sha256'], unique=False)
    if op.get_bind().dialect.supports_alter:
        op.create_foreign_key(CURRENT_VERSION_FK, 'library_documents', 'library_versions',
                              ['current_version_id'], ['id'], ondelete='SET NULL')
    _create_search_index()


def downgrade():
    _drop_search_index()
    if op.get_bind().dialect.supports_alter:
        op.drop_constraint(CURRENT_VERSION_FK, 'library_documents', type_='foreignkey')
    with op.batch_alter_table('library_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_versions_sha256'))

    op.drop_table('library_versions')
    op.drop_table('library_search')
    op.drop_table('library_facet_counts')
    with op.batch_alter_table('library_document_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_document_terms_term_id'))

    op.drop_table('library_document_terms')
    with op.batch_alter_table('library_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_library_comments_document')
        batch_op.drop_index(batch_op.f('ix_library_comments_author_id'))

    op.drop_table('library_comments')
    with op.batch_alter_table('library_collection_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_collection_items_document_id'))

    op.drop_table('library_collection_items')
    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_documents_year'))
        batch_op.drop_index(batch_op.f('ix_library_documents_submitted_by_id'))
        batch_op.drop_index('ix_library_documents_shelf')
        batch_op.drop_index(batch_op.f('ix_library_documents_published_at'))
        batch_op.drop_index(batch_op.f('ix_library_documents_proposed_from_id'))
        batch_op.drop_index(batch_op.f('ix_library_documents_document_type_id'))

    op.drop_table('library_documents')
    op.drop_table('library_collections')
