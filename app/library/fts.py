"""Full-text search of the library: French-aware, accent-insensitive, on both backends.

Text is folded (accents, case, ligatures) and stemmed in Python with the Snowball French
stemmer, at indexing and at query time alike, so "Territoires économiques" and
"territoire economique" meet on the same terms whatever the database. The stemmed text
lives in `library_search`: one row per *published* document, with its shelf as a `scope`
token and three weighted fields, so that the index alone answers a search (no join with
the documents to filter by state or shelf, no count over a join):

- SQLite: an FTS5 table (`unicode61 remove_diacritics 2`) with external content over
  `library_search`, kept in step by triggers, ranked by bm25;
- PostgreSQL: stored `simple` tsvectors of those fields, computed by the services when
  they index (no `unaccent` nor French configuration needed: the text is already folded
  and stemmed, so no superuser extension is required): `vector` for all fields and
  `head` for the title and metadata only, small enough to stay in the row where `vector`
  goes to TOAST storage; GIN indexes over both, ranked by ts_rank.

Neither the FTS5 tables nor the GIN indexes can be described by SQLAlchemy metadata without
creating useless objects on the other backend: they are created by DDL hooks here
(create_all) and by the library migration, and an Alembic comparator keeps autogenerate
from proposing to drop them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from alembic.autogenerate import comparators
from alembic.operations import ops
from sqlalchemy import DDL, Float, Integer, Table, TextClause, event, text
from sqlalchemy.sql.selectable import Subquery

FTS_TABLE = "library_fts"
FTS_SHADOW = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in
                                     ("data", "idx", "docsize", "config", "content"))})
PG_INDEX = "ix_library_search_vector"
PG_HEAD_INDEX = "ix_library_search_head"
BODY_MAX = 400_000  # characters of stemmed body text kept per document
TERM_MAX = 40
MAIN_SCOPE = "shelfmain"
FIELDS = ("title", "meta", "body")
WEIGHTS = {"title": "A", "meta": "B", "body": "D"}  # PostgreSQL's labels of the fields

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(scope, title, meta, body, "
    "content='library_search', content_rowid='document_id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER library_search_ai AFTER INSERT ON library_search BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, scope, title, meta, body) "
    "VALUES (new.document_id, new.scope, new.title, new.meta, new.body); END",
    f"CREATE TRIGGER library_search_ad AFTER DELETE ON library_search BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, scope, title, meta, body) "
    "VALUES ('delete', old.document_id, old.scope, old.title, old.meta, old.body); END",
    f"CREATE TRIGGER library_search_au AFTER UPDATE OF scope, title, meta, body "
    f"ON library_search BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, scope, title, meta, body) "
    "VALUES ('delete', old.document_id, old.scope, old.title, old.meta, old.body); "
    f"INSERT INTO {FTS_TABLE}(rowid, scope, title, meta, body) "
    "VALUES (new.document_id, new.scope, new.title, new.meta, new.body); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS library_search_ai",
    "DROP TRIGGER IF EXISTS library_search_ad",
    "DROP TRIGGER IF EXISTS library_search_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
PG_CREATE = (f"CREATE INDEX {PG_INDEX} ON library_search USING gin (vector)",
             f"CREATE INDEX {PG_HEAD_INDEX} ON library_search USING gin (head)")
PG_HEAD = ("setweight(to_tsvector('simple'::regconfig, title), 'A') || "
           "setweight(to_tsvector('simple'::regconfig, meta), 'B')")
PG_VECTOR = f"{PG_HEAD} || setweight(to_tsvector('simple'::regconfig, body), 'D')"
PG_UPDATE = f"UPDATE library_search SET head = {PG_HEAD}, vector = {PG_VECTOR}"

# Words too common to help find a document; left out of the index and of queries, so a
# query such as "les tiers-lieux de la santé" asks only for what matters.
STOP_WORDS = frozenset({
    "a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "du",
    "elle", "en", "et", "est", "il", "ils", "je", "l", "la", "le", "les", "leur", "leurs",
    "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne", "nos", "notre", "nous",
    "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sur",
    "t", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "c",
    "j", "m", "sont", "ete", "etre", "avoir", "the", "of", "and", "to", "in", "for",
    "is", "are", "be",
})

_WORD = re.compile(r"[^\W_]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"})
_stemmer = snowballstemmer.stemmer("french")


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (value or "").translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Snowball French on the folded word, then a final plural -s or -x it leaves
    ("emplois", "lieux")."""
    stemmed = _stemmer.stemWord(word)
    if len(stemmed) > 3 and stemmed.endswith(("s", "x")):
        stemmed = stemmed[:-1]
    return stemmed


def terms(value: str) -> list[str]:
    return [stem(w[:TERM_MAX]) for w in _WORD.findall(fold(value))
            if len(w) > 1 and w not in STOP_WORDS]


def index_text(value: str, limit: int | None = None) -> str:
    stemmed = " ".join(terms(value))
    return stemmed[:limit] if limit else stemmed


def query_terms(query: str) -> list[str]:
    """The distinct stems of a query, in order; every one must match (AND)."""
    return list(dict.fromkeys(terms(query)))[:12]


def scope(owner_type: str | None, owner_id: int | None) -> str:
    """One token naming a shelf: "shelfmain", "shelfproject12"."""
    if owner_type is None:
        return MAIN_SCOPE
    return f"shelf{re.sub(r'[^a-z]', '', owner_type.lower())}{int(owner_id or 0)}"


def vector_update(document_id: int) -> TextClause:
    """PostgreSQL: recompute a row's tsvectors from its stemmed fields."""
    return text(f"{PG_UPDATE} WHERE document_id = :document_id").bindparams(
        document_id=document_id)


def matches(dialect: str, stems: list[str], scope_: str, ranked: bool = False,
            fields: tuple[str, ...] = FIELDS) -> Subquery:
    """(document_id[, rank]) of the published documents of a shelf holding every stem in
    the given fields; lower rank is better. Scoring reads every match: ask for a rank
    only over a bounded number of matches."""
    if dialect == "postgresql":
        if "body" in fields:
            column, weights = "vector", ""
        else:  # the small title-and-metadata vector: no large value to read per row
            column, weights = "head", ":" + "".join(WEIGHTS[f] for f in fields)
        rank = f", -ts_rank({column}, to_tsquery('simple', :q)) AS rank" if ranked else ""
        stmt = text(
            f"SELECT document_id{rank} FROM library_search "
            f"WHERE scope = :scope AND {column} @@ to_tsquery('simple', :q)"
        ).bindparams(q=" & ".join(f"{s}{weights}" for s in stems), scope=scope_)
    else:
        rank = f", bm25({FTS_TABLE}, 0.0, 10.0, 4.0, 1.0) AS rank" if ranked else ""
        phrases = " AND ".join(f'"{s}"' for s in stems)
        stmt = text(
            f"SELECT rowid AS document_id{rank} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"
        ).bindparams(q=f'scope : "{scope_}" AND {{{" ".join(fields)}}} : ({phrases})')
    columns = {"document_id": Integer, "rank": Float} if ranked else {"document_id": Integer}
    return stmt.columns(**columns).subquery("search_matches" if ranked else "search_filter")


def install(table: Table) -> None:
    """Create and drop the backend's index with the table (create_all / drop_all)."""
    for statement in SQLITE_CREATE:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in PG_CREATE:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in SQLITE_DROP:
        event.listen(table, "before_drop", DDL(statement).execute_if(dialect="sqlite"))


def _keep_search_index(autogen_context, upgrade_ops, schemas) -> None:
    """Autogenerate sees the FTS5 tables and the GIN indexes in the database but not in the
    metadata; they belong to the library's migration, not to a diff."""
    kept = []
    for op in upgrade_ops.ops:
        if isinstance(op, ops.DropTableOp) and op.table_name in FTS_SHADOW:
            continue
        if isinstance(op, ops.ModifyTableOps) and op.table_name == "library_search":
            op.ops = [o for o in op.ops
                      if not (isinstance(o, ops.DropIndexOp)
                              and o.index_name in (PG_INDEX, PG_HEAD_INDEX))]
            if not op.ops:
                continue
        kept.append(op)
    upgrade_ops.ops[:] = kept


try:
    from alembic.util import DispatchPriority
except ImportError:  # Alembic < 1.18 runs comparators in registration order
    comparators.dispatch_for("schema")(_keep_search_index)
else:
    comparators.dispatch_for("schema", priority=DispatchPriority.LAST)(_keep_search_index)
