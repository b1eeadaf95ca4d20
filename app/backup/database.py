"""The database half of a backup: a consistent dump taken while the site runs, its row
counts and Alembic revision, and its restore.

SQLite: the online backup API copies the database page by page in one step under one
read transaction (WAL: writers go on meanwhile); counts are read from the copy.
PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the counts are read in it
and `pg_dump --snapshot` dumps that very snapshot, so the manifest describes the dump exactly.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"
DUMP_NAMES = {"sqlite": SQLITE_DUMP, "postgresql": POSTGRES_DUMP}
# Tables that say nothing about the site's content: a freshly migrated database has them.
BOOKKEEPING_TABLES = {"alembic_version"}
FTS5_SHADOWS = ("config", "content", "data", "docsize", "idx")


class BackupError(Exception):
    """A backup, verification or restore that cannot go on; the message is for the operator."""


@dataclass
class Dump:
    kind: str
    path: Path
    tables: dict[str, int]
    alembic_revision: str | None


def database_kind(engine: Engine) -> str:
    kind = engine.dialect.name
    if kind not in DUMP_NAMES:
        raise BackupError(f"Base de données non prise en charge : {kind}")
    return kind


# Connection parameters ----------------------------------------------------------------------

def libpq_target(url: URL | str) -> tuple[str, dict[str, str]]:
    """`(libpq URL without the password, environment for the client tools)`.

    The password goes through PGPASSWORD, never on a command line (visible in `ps`).
    """
    url = make_url(url) if isinstance(url, str) else url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False), env


def sqlite_path(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("La base SQLite est en mémoire : rien à sauvegarder sur disque.")
    return Path(name)


def _run(args: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{args[0]} introuvable : installez le client PostgreSQL "
                          "(paquet postgresql-client).") from error
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} a échoué : {detail[-1] if detail else done.returncode}")
    return done


# Counting -----------------------------------------------------------------------------------

def _sqlite_counts(connection: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    counts = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
              for name in names}
    revision = None
    if "alembic_version" in counts:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return counts, revision


def _postgres_counts(connection: Connection) -> tuple[dict[str, int], str | None]:
    names = connection.scalars(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).all()
    quote = connection.dialect.identifier_preparer.quote
    counts = {name: connection.scalar(text(f"SELECT count(*) FROM public.{quote(name)}"))
              for name in names}
    revision = None
    if "alembic_version" in counts:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return counts, revision


def current_counts() -> dict[str, int]:
    """Rows per table of the configured database as it is now."""
    engine = db.engine
    if database_kind(engine) == "postgresql":
        with engine.connect() as connection:
            return _postgres_counts(connection)[0]
    path = sqlite_path(engine)
    if not path.exists():
        return {}
    with _closing_sqlite(str(path)) as connection:
        return _sqlite_counts(connection)[0]


def non_empty_tables() -> dict[str, int]:
    """The configured database's tables holding rows, bookkeeping aside: a database to be
    replaced has some. SQLite's full-text index keeps rows of its own in its shadow tables
    (`<index>_config`, `<index>_data`) even when it indexes nothing."""
    counts = current_counts()
    ignored = set(BOOKKEEPING_TABLES)
    if database_kind(db.engine) == "sqlite" and counts:
        with _closing_sqlite(str(sqlite_path(db.engine))) as connection:
            virtual = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%'")]
        ignored |= {f"{name}_{shadow}" for name in virtual for shadow in FTS5_SHADOWS}
    return {name: n for name, n in counts.items() if n and name not in ignored}


def known_revision(revision: str | None) -> bool:
    """Whether this code's migrations know `revision` (an archive from a newer version
    would leave a schema the code cannot read or upgrade)."""
    if revision is None:
        return True
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or malformed id
        return False


@contextmanager
def _closing_sqlite(target: str) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(target, uri=target.startswith("file:"))
    try:
        yield connection
    finally:
        connection.close()


# Dumping ------------------------------------------------------------------------------------

def dump(workdir: Path) -> Dump:
    """Dump the configured database into `workdir`; the site may keep writing meanwhile."""
    kind = database_kind(db.engine)
    target = workdir / DUMP_NAMES[kind]
    if kind == "sqlite":
        source = sqlite_path(db.engine)
        if not source.exists():
            raise BackupError(f"Base SQLite introuvable : {source}")
        with _closing_sqlite(str(source)) as src, _closing_sqlite(str(target)) as dst:
            src.execute("PRAGMA busy_timeout = 5000")
            src.backup(dst)  # pages=-1: one step, one consistent read transaction
            dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            tables, revision = _sqlite_counts(dst)
        return Dump(kind, target, tables, revision)
    url, env = libpq_target(db.engine.url)
    try:
        with db.engine.connect().execution_options(
                isolation_level="REPEATABLE READ") as connection, connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            tables, revision = _postgres_counts(connection)
            # The exporting transaction stays open while pg_dump reads its snapshot.
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}",
                  f"--file={target}", f"--dbname={url}"], env, "pg_dump")
    except SQLAlchemyError as error:
        raise BackupError(f"Base PostgreSQL injoignable : {error.orig or error}") from error
    return Dump(kind, target, tables, revision)


# Checking and restoring -----------------------------------------------------------------------

def check_dump(kind: str, path: Path) -> None:
    """Raise BackupError unless the dump can be read back."""
    if kind == "sqlite":
        try:
            with _closing_sqlite(f"file:{path}?mode=ro") as connection:
                result = connection.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"Copie SQLite illisible : {error}") from error
        if result != [("ok",)]:
            raise BackupError(f"Copie SQLite endommagée : {result[0][0]}")
    elif kind == "postgresql":
        _run(["pg_restore", "--list", str(path)], dict(os.environ), "pg_restore --list")
    else:
        raise BackupError(f"Type de base inconnu dans l'archive : {kind}")


def restore(kind: str, path: Path) -> None:
    """Replace the configured database's content by the dump, all or nothing."""
    engine = db.engine
    if database_kind(engine) != kind:
        raise BackupError(f"L'archive contient une base {kind}, la base configurée est "
                          f"{engine.dialect.name}.")
    db.session.remove()
    engine.dispose()  # no pooled connection keeps the old database
    if kind == "sqlite":
        target = sqlite_path(engine)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The backup API writes into the live file under one write transaction: every
        # connection (WAL included) sees the old database or the restored one, never a mix.
        with _closing_sqlite(f"file:{path}?mode=ro") as src, \
                _closing_sqlite(str(target)) as dst:
            dst.execute("PRAGMA busy_timeout = 5000")
            try:
                src.backup(dst)
            except sqlite3.Error as error:
                raise BackupError(f"Restauration SQLite impossible : {error}") from error
        return
    url, env = libpq_target(engine.url)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        script = Path(scratch) / "restore.sql"
        _run(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(path)],
             env, "pg_restore")
        reset = Path(scratch) / "reset.sql"
        # Dropping the schema also drops what the dump does not know (tables of a newer
        # version); the whole script runs in one transaction: any error changes nothing.
        reset.write_text("DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
        _run(["psql", "--no-psqlrc", "--quiet", "--single-transaction",
              "--set=ON_ERROR_STOP=1", f"--file={reset}", f"--file={script}",
              f"--dbname={url}"], env, "La restauration PostgreSQL (psql)")
