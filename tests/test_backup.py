"""`flask backup create/verify/restore`: archives, their checks, retention, refusals, and
the restore drill (backup taken while a writer keeps writing -> wipe -> restore -> the site
serves the restored data) on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app, normalize_database_url
from app.backup import archive, database
from app.chat import services as chat
from app.db import transaction
from app.extensions import db
from app.uploads import check_upload
from app.walls import services as walls
from tests.conftest import FreshRequestClient, login
from tests.factories import make_user
from tests.walls.conftest import png_bytes


@pytest.fixture
def app_overrides(tmp_path):
    # The online backup API needs a database file: never the in-memory default.
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite3'}",
            "BACKUP_DIR": str(tmp_path / "backups")}


class Runner:
    """`flask ...` as the command line runs it: inside a fresh app context."""

    def __init__(self, app) -> None:
        self.app, self.cli = app, app.test_cli_runner()

    def invoke(self, args):
        with self.app.app_context():
            return self.cli.invoke(args=args)


@pytest.fixture
def runner(app):
    return Runner(app)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _uploads(app) -> dict[str, str]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p.relative_to(root).as_posix(): _sha(p) for p in root.rglob("*") if p.is_file()}


def _populate(image: bytes | None = None) -> dict:
    """A few members, a post with an uploaded image, a plain post and a chat message,
    written through the services as the views write them."""
    admin = make_user(name="Claire Dubois", email="claire@exemple.fr", role="admin")
    author = make_user(name="Sophie Martin", email="sophie@exemple.fr")
    make_user(name="Mehdi Benali", email="mehdi@exemple.fr")
    image = image or png_bytes((12, 12))
    with transaction():
        wall = walls.do_ensure_general_wall()
    with transaction():
        checked = check_upload("plan.png", image, walls.ATTACHMENT_TYPES, 100_000)
        post = walls.check_create_post(author, walls.access_wall(author, wall.id),
                                       body="Le tiers-lieu de Saint-Affrique ouvre lundi",
                                       files=[checked])
        attachment_id = post.attachments[0].id
    with transaction():
        walls.check_create_post(author, walls.access_wall(author, wall.id),
                                body="Qui a déjà monté une épicerie solidaire ?")
    with transaction():
        channel = chat.check_create_channel(admin, "Coordination", "Réunions du réseau")
    with transaction():
        chat.check_send(admin, channel.id, "On se retrouve jeudi ?", uuid.uuid4().hex)
    return {"author": author, "wall_id": wall.id, "post_id": post.id,
            "attachment_id": attachment_id, "image": image}


def _post_count() -> int:
    return database.current_counts()["posts"]


# Create and verify ----------------------------------------------------------------------------

def test_create_writes_one_complete_archive_with_its_manifest(app, runner, tmp_path):
    _populate()
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    backups = tmp_path / "backups"
    [path] = list(backups.iterdir())  # no temporary file or scratch directory left behind
    assert archive.NAME_RE.fullmatch(path.name)
    assert f"Sauvegarde créée : {path}" in result.output
    with tarfile.open(path) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        members = {m.name: tar.extractfile(m).read() for m in tar if m.name != "manifest.json"}
    uploads = _uploads(app)
    assert len(uploads) == 1
    assert set(names) == {"manifest.json", "database.sqlite3"} | {f"uploads/{k}" for k in uploads}
    assert set(manifest["files"]) == set(members)
    for name, data in members.items():
        assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(),
                                           "size": len(data)}
    assert manifest["database"] == {"kind": "sqlite", "dump": "database.sqlite3"}
    assert manifest["tables"] == database.current_counts()
    assert manifest["tables"]["users"] == 3 and manifest["tables"]["chat_messages"] == 1
    assert manifest["app_version"] == "0.1.0"
    assert manifest["alembic_revision"] is None  # create_all: no Alembic history here
    assert manifest["created_at"].endswith("+00:00")

    verified = runner.invoke(args=["backup", "verify", str(path)])
    assert verified.exit_code == 0, verified.output
    assert f"Archive intacte : {path.name}" in verified.output


@pytest.fixture
def migrated_app(tmp_path):
    """A site migrated by Alembic (as in production) over a SQLite file."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                                 "UPLOAD_DIR": str(tmp_path / "uploads"),
                                 "BACKUP_DIR": str(tmp_path / "backups")})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_create_records_the_alembic_revision(migrated_app):
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    path, manifest = archive.create(Path(migrated_app.config["BACKUP_DIR"]))
    assert manifest["alembic_revision"] == head
    assert manifest["tables"]["walls"] == 1  # the migration creates the general wall


def test_a_freshly_migrated_database_holds_only_the_general_wall(migrated_app):
    path, _manifest = archive.create(Path(migrated_app.config["BACKUP_DIR"]))
    result = Runner(migrated_app).invoke(args=["backup", "restore", str(path)])
    assert result.exit_code == 1
    # Neither alembic_version nor the full-text index's own rows make a database non-empty.
    assert "La cible n'est pas vide : tables walls (1). Relancez avec --force" in result.output
    result = Runner(migrated_app).invoke(args=["backup", "restore", str(path), "--force"])
    assert result.exit_code == 0, result.output


def test_an_archive_from_a_newer_version_is_refused(migrated_app):
    path, _manifest = archive.create(Path(migrated_app.config["BACKUP_DIR"]))
    _rewrite(path, lambda members, manifest: manifest.update(alembic_revision="0123456789ab",
                                                             app_version="9.0.0"))
    db.session.execute(text("DELETE FROM walls"))
    db.session.commit()
    result = Runner(migrated_app).invoke(args=["backup", "restore", str(path), "--force"])
    assert result.exit_code == 1
    assert "version plus récente (révision Alembic 0123456789ab, version 9.0.0)" in result.output
    assert database.current_counts()["walls"] == 0


def test_create_to_another_directory(app, runner, tmp_path):
    result = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "ailleurs")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "ailleurs").glob("catalyseurs-*.tar.gz"))) == 1
    assert not (tmp_path / "backups").exists()


def test_files_being_written_are_not_archived(app, tmp_path):
    root = Path(app.config["UPLOAD_DIR"])
    (root / "ab").mkdir(parents=True)
    (root / "ab" / ("ab" + "0" * 30 + ".png")).write_bytes(b"done")
    (root / "ab" / ("ab" + "1" * 30 + ".png.part")).write_bytes(b"half")
    _path, manifest = archive.create(tmp_path / "out")
    assert [n for n in manifest["files"] if n.startswith("uploads/")] == [
        "uploads/ab/ab" + "0" * 30 + ".png"]


def test_the_archive_is_readable_by_its_owner_only(app, tmp_path):
    path, _manifest = archive.create(tmp_path / "new" / "dir")
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new" / "dir").stat().st_mode & 0o777 == 0o700


def test_a_file_deleted_while_listed_is_left_out(app, tmp_path, monkeypatch):
    root = Path(app.config["UPLOAD_DIR"])
    kept = root / "cd" / ("cd" + "3" * 30 + ".png")
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"kept")
    gone = root / "cd" / ("cd" + "4" * 30 + ".png")
    monkeypatch.setattr(archive, "upload_files", lambda _root: [gone, kept])
    path, manifest = archive.create(tmp_path / "out")
    assert [n for n in manifest["files"] if n.startswith("uploads/")] == [
        f"uploads/cd/{kept.name}"]
    assert archive.verify(path) == manifest


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _rewrite(path: Path, change) -> None:
    """Rebuild the archive (a valid .tar.gz) after `change(members, manifest)`."""
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        members = {m.name: tar.extractfile(m).read() for m in tar if m.name != "manifest.json"}
    change(members, manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _tamper_upload(members, manifest):
    name = next(n for n in members if n.startswith("uploads/"))
    members[name] = members[name][:-1] + b"!"


def _garbage_dump(members, manifest):
    # Hashes that match, over a file that is no database: only reading it back tells.
    members["database.sqlite3"] = b"not a database" * 100
    manifest["files"]["database.sqlite3"] = {
        "sha256": hashlib.sha256(members["database.sqlite3"]).hexdigest(), "size": 1400}


def _extra_member(members, manifest):
    members["uploads/ab/../../evil.txt"] = b"x"


def _no_manifest(path: Path) -> None:
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.name != "manifest.json"}
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


DAMAGES = {
    "one byte flipped": (_flip_byte, "Archive (illisible ou tronquée|corrompue)"),
    "truncated": (_truncate, "Archive illisible ou tronquée"),
    # Every member intact, only the gzip trailer (CRC, length) cut: still refused.
    "trailer cut": (lambda p: p.write_bytes(p.read_bytes()[:-4]), "Archive illisible"),
    "member changed": (lambda p: _rewrite(p, _tamper_upload), "empreinte ou taille différente"),
    "unreadable dump": (lambda p: _rewrite(p, _garbage_dump), "Copie SQLite illisible"),
    "unexpected member": (lambda p: _rewrite(p, _extra_member), "Membre inattendu"),
    "no manifest": (_no_manifest, "sans manifest.json"),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_archive_fails_verify_and_restore_changes_nothing(app, runner, damage):
    spoil, message = DAMAGES[damage]
    _populate()
    path, _manifest = archive.create(Path(app.config["BACKUP_DIR"]))
    spoil(path)
    # The live site moves on: a restore would change this state.
    author = make_user(email="apres@exemple.fr")
    with transaction():
        checked = check_upload("autre.png", png_bytes((20, 20)), walls.ATTACHMENT_TYPES, 10**5)
        walls.check_create_post(author, walls.general_wall(), body="Après la sauvegarde",
                                files=[checked])
    counts, files = database.current_counts(), _uploads(app)

    result = runner.invoke(args=["backup", "verify", str(path)])
    assert result.exit_code == 1
    assert re.search(message, result.output)

    result = runner.invoke(args=["backup", "restore", str(path), "--force"])
    assert result.exit_code == 1
    assert re.search(message, result.output)
    assert database.current_counts() == counts
    assert _uploads(app) == files
    staging = [p for p in Path(app.config["UPLOAD_DIR"]).parent.iterdir()
               if p.name.startswith(".restore-")]
    assert staging == []


def test_verify_of_a_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["backup", "verify", str(tmp_path / "absent.tar.gz")])
    assert result.exit_code == 2


# Retention ----------------------------------------------------------------------------------

def test_keep_deletes_the_oldest_archives_beyond_n_and_nothing_else(app, runner, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"catalyseurs-2026010{d}T030000.000Z.tar.gz" for d in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"old archive")
    others = [backups / "notes.txt", backups / "catalyseurs-manual.tar.gz",
              backups / ".catalyseurs-20260104T030000.000Z.tar.gz.part"]
    for path in others:
        path.write_bytes(b"keep me")
    result = runner.invoke(args=["backup", "create", "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert "Anciennes sauvegardes supprimées : 2" in result.output
    remaining = sorted(p.name for p in backups.iterdir())
    new = [n for n in remaining if archive.NAME_RE.fullmatch(n) and n not in
           {p.name for p in old}]
    assert len(new) == 1
    assert sorted([old[2].name, new[0]] + [p.name for p in others]) == remaining


def test_keep_must_be_at_least_one(runner):
    result = runner.invoke(args=["backup", "create", "--keep", "0"])
    assert result.exit_code == 2


# Restore refusals ---------------------------------------------------------------------------

def test_restore_refuses_a_target_with_rows_unless_forced(app, runner):
    data = _populate()
    path, manifest = archive.create(Path(app.config["BACKUP_DIR"]))
    author = make_user(email="apres@exemple.fr")
    with transaction():
        later_id = walls.check_create_post(author, walls.general_wall(), body="Après").id
    counts, files = database.current_counts(), _uploads(app)

    result = runner.invoke(args=["backup", "restore", str(path)])
    assert result.exit_code == 1
    assert "La cible n'est pas vide" in result.output and "--force" in result.output
    assert "attachments (1)" in result.output
    assert database.current_counts() == counts and _uploads(app) == files

    result = runner.invoke(args=["backup", "restore", str(path), "--force"])
    assert result.exit_code == 0, result.output
    assert "Restauration terminée" in result.output
    assert database.current_counts() == manifest["tables"]
    from app.walls.models import Post
    assert db.session.get(Post, later_id) is None
    assert db.session.get(Post, data["post_id"]) is not None


def test_restore_refuses_an_upload_directory_holding_files(app, runner):
    path, _manifest = archive.create(Path(app.config["BACKUP_DIR"]))  # an empty site
    stray = Path(app.config["UPLOAD_DIR"]) / "ab" / ("ab" + "2" * 30 + ".pdf")
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF")
    result = runner.invoke(args=["backup", "restore", str(path)])
    assert result.exit_code == 1
    assert "1 fichiers dans" in result.output
    assert stray.exists()
    result = runner.invoke(args=["backup", "restore", str(path), "--force"])
    assert result.exit_code == 0, result.output
    assert not stray.exists()


def test_restore_refuses_an_archive_of_another_database_kind(app, runner):
    path, _manifest = archive.create(Path(app.config["BACKUP_DIR"]))
    _rewrite(path, lambda members, manifest: manifest["database"].update(kind="postgresql"))
    result = runner.invoke(args=["backup", "restore", str(path), "--force"])
    assert result.exit_code == 1
    assert "copie de la base absente (postgresql)" in result.output


# PostgreSQL connection parameters and failures ------------------------------------------------

def test_the_password_goes_through_the_environment_never_the_command_line():
    url, env = database.libpq_target(
        "postgresql+psycopg://catalyseurs:p%40ss%2Fw0rd@db.internal:5433/site?sslmode=require")
    assert url == "postgresql://catalyseurs@db.internal:5433/site?sslmode=require"
    assert env["PGPASSWORD"] == "p@ss/w0rd"
    url, env = database.libpq_target("postgresql+psycopg://postgres@127.0.0.1/site")
    assert url == "postgresql://postgres@127.0.0.1/site"
    assert env.get("PGPASSWORD") == os.environ.get("PGPASSWORD")


def test_an_unreachable_server_fails_clearly_and_leaves_no_file(tmp_path):
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:secret@127.0.0.1:1/none",
        "UPLOAD_DIR": str(tmp_path / "uploads"), "BACKUP_DIR": str(tmp_path / "backups")})
    result = Runner(app).invoke(["backup", "create"])
    assert result.exit_code == 1
    assert "Base PostgreSQL injoignable" in result.output
    assert "secret" not in result.output
    assert list((tmp_path / "backups").iterdir()) == []


def test_an_in_memory_database_cannot_be_backed_up(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                                 "BACKUP_DIR": str(tmp_path / "backups")})
    result = Runner(app).invoke(["backup", "create"])
    assert result.exit_code == 1
    assert "en mémoire" in result.output


# The restore drill --------------------------------------------------------------------------

class Writer(threading.Thread):
    """Keeps publishing posts through the services, in its own app context, like the site."""

    def __init__(self, app, author_id: int, wall_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.author_id, self.wall_id = app, author_id, wall_id
        self.written = 0
        self.stop = threading.Event()
        self.progress = threading.Condition()
        self.error: BaseException | None = None

    def run(self) -> None:
        from app.accounts.models import User
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    with transaction():
                        author = db.session.get(User, self.author_id)
                        walls.check_create_post(
                            author, walls.access_wall(author, self.wall_id),
                            body=f"Écrit pendant la sauvegarde, n° {self.written + 1}")
                    with self.progress:
                        self.written += 1
                        self.progress.notify_all()
                db.session.remove()
        except BaseException as error:  # reported by the test
            self.error = error
            with self.progress:
                self.progress.notify_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(
                lambda: self.written >= count or self.error, timeout=10)
        assert self.error is None, self.error


def _drill(app, wipe) -> None:
    data = _populate()
    writer = Writer(app, data["author"].id, data["wall_id"])
    writer.start()
    try:
        writer.wait_for(3)
        before = writer.written
        result = Runner(app).invoke(["backup", "create"])
        assert result.exit_code == 0, result.output
        during = writer.written
        writer.wait_for(during + 2)  # the site goes on after the backup
    finally:
        writer.stop.set()
        writer.join(10)
    assert writer.error is None, writer.error
    [path] = Path(app.config["BACKUP_DIR"]).glob("catalyseurs-*.tar.gz")
    manifest = archive.verify(path)
    # A snapshot from the middle of the writes: the posts written before it are in, the
    # ones written after are not.
    assert 2 + before <= manifest["tables"]["posts"] < _post_count()

    wipe()
    shutil.rmtree(app.config["UPLOAD_DIR"])
    assert database.non_empty_tables() == {}

    result = Runner(app).invoke(["backup", "restore", str(path)])
    assert result.exit_code == 0, result.output

    assert database.current_counts() == manifest["tables"]
    restored = _uploads(app)
    assert {f"uploads/{k}": v for k, v in restored.items()} == {
        name: entry["sha256"] for name, entry in manifest["files"].items()
        if name.startswith("uploads/")}
    assert len(restored) == 1

    client = app.test_client()
    assert login(client, "sophie@exemple.fr").status_code == 302
    page = client.get(f"/murs/messages/{data['post_id']}")
    assert page.status_code == 200
    assert "Le tiers-lieu de Saint-Affrique ouvre lundi" in page.get_data(as_text=True)
    image = client.get(f"/murs/pieces-jointes/{data['attachment_id']}")
    assert image.status_code == 200 and image.data == data["image"]


def test_restore_drill_sqlite(app, tmp_path):
    path = database.sqlite_path(db.engine)

    def wipe():
        db.session.remove()
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    _drill(app, wipe)


@pytest.fixture
def postgres_app(tmp_path):
    """An app over a PostgreSQL database of its own, migrated, dropped at the end."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres", "postgresql")):
        pytest.skip("TEST_DATABASE_URL is not a PostgreSQL URL: the PostgreSQL restore drill "
                    "creates its own database on that server")
    if shutil.which("pg_dump") is None or shutil.which("psql") is None:
        pytest.skip("pg_dump/psql not installed (package postgresql-client)")
    server = make_url(normalize_database_url(url))
    name = f"backup_drill_{uuid.uuid4().hex[:12]}"
    maintenance, env = database.libpq_target(server)
    password = env.get("PGPASSWORD")

    def admin(sql: str) -> None:
        with psycopg.connect(maintenance, password=password, autocommit=True) as connection:
            connection.execute(sql)

    admin(f'CREATE DATABASE "{name}"')
    try:
        app = create_app("testing", {
            "SQLALCHEMY_DATABASE_URI": server.set(database=name).render_as_string(
                hide_password=False),
            "UPLOAD_DIR": str(tmp_path / "uploads"), "BACKUP_DIR": str(tmp_path / "backups")})
        app.test_client_class = FreshRequestClient
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_drill_postgresql(postgres_app, monkeypatch):
    calls = []
    real_run = database.subprocess.run

    def spy(args, **kwargs):
        calls.append((args, kwargs.get("env") or {}))
        return real_run(args, **kwargs)

    monkeypatch.setattr(database.subprocess, "run", spy)

    def wipe():
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()

    _drill(postgres_app, wipe)
    programs = [args[0] for args, _env in calls]
    assert {"pg_dump", "pg_restore", "psql"} <= set(programs)
    password = db.engine.url.password
    for args, env in calls:
        assert all("postgresql+psycopg" not in arg for arg in args)
        if password:
            assert all(password not in arg for arg in args)
            if any(arg.startswith("--dbname=") for arg in args):  # those that connect
                assert env["PGPASSWORD"] == password
    revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    [path] = Path(postgres_app.config["BACKUP_DIR"]).glob("catalyseurs-*.tar.gz")
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["alembic_revision"] == revision
    assert manifest["database"] == {"kind": "postgresql", "dump": "database.pgdump"}


def test_a_corrupt_postgresql_dump_fails_verify(postgres_app, tmp_path):
    path, _manifest = archive.create(Path(postgres_app.config["BACKUP_DIR"]))

    def garbage(members, manifest):
        members["database.pgdump"] = b"PGDMP" + b"\0" * 200
        manifest["files"]["database.pgdump"] = {
            "sha256": hashlib.sha256(members["database.pgdump"]).hexdigest(), "size": 205}

    _rewrite(path, garbage)
    with pytest.raises(database.BackupError, match="pg_restore --list a échoué"):
        archive.verify(path)



def test_a_postgresql_archive_is_not_restored_into_sqlite(postgres_app, tmp_path):
    path, _manifest = archive.create(Path(postgres_app.config["BACKUP_DIR"]))
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 's.db'}",
                                   "UPLOAD_DIR": str(tmp_path / "other-uploads")})
    result = Runner(other).invoke(args=["backup", "restore", str(path), "--force"])
    assert result.exit_code == 1
    assert "L'archive contient une base postgresql, la base configurée est sqlite" in result.output
    assert not (tmp_path / "s.db").exists()
