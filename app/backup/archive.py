"""Backup archives: one `.tar.gz` holding the database dump, the upload directory and a
`manifest.json` that lists every other member with its SHA-256 and size.

Written under a hidden temporary name in the target directory and renamed once complete,
so an archive with the final name is always whole. Reading checks every member against the
manifest before anything is restored.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import current_app

from ..extensions import db
from . import database
from .database import BackupError

MANIFEST = "manifest.json"
UPLOADS = "uploads"
FORMAT = 1
NAME_RE = re.compile(r"catalyseurs-\d{8}T\d{6}\.\d{3}Z\.tar\.gz")
_CHUNK = 1024 * 1024


def archive_name(moment: datetime) -> str:
    """`catalyseurs-20261204T173500.123Z.tar.gz`: UTC, sorts by name in time order."""
    moment = moment.astimezone(UTC)
    return f"catalyseurs-{moment:%Y%m%dT%H%M%S}.{moment.microsecond // 1000:03d}Z.tar.gz"


def app_version() -> str:
    try:
        return metadata.version("catalyseurs")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(current_app.root_path).parent / "pyproject.toml"
        return tomllib.loads(pyproject.read_text())["project"]["version"]


class _Hashing:
    """A reader that hashes and counts what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict | None:
    """Append one file, hashing it on the way; None when it vanished since it was listed."""
    try:
        handle = open(path, "rb")  # noqa: SIM115  (closed by the with below)
    except FileNotFoundError:
        return None
    with handle:
        info = tar.gettarinfo(arcname=name, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def upload_files(root: Path) -> list[Path]:
    """Stored files under the upload directory; files still being written (`.part`) and
    hidden entries (a restore's staging directory) are not part of it."""
    if not root.is_dir():
        return []
    found = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(directory) / name
            if not name.startswith(".") and not name.endswith(".part") and path.is_file() \
                    and not path.is_symlink():
                found.append(path)
    return found


# Creating -----------------------------------------------------------------------------------

def create(target_dir: Path) -> tuple[Path, dict]:
    """Write a complete archive into `target_dir`; returns its path and manifest.

    The database is dumped first, the files copied after: every file a row of the dump
    points to exists by then (stored files are never rewritten), and a file added meanwhile
    is at worst an orphan that `flask storage gc` removes.
    """
    # Password hashes and members' private messages: readable by the service account only.
    target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    created_at = datetime.now(UTC)
    final = target_dir / archive_name(created_at)
    if final.exists():
        raise BackupError(f"Une archive porte déjà ce nom : {final}")
    partial = target_dir / f".{final.name}.part"
    upload_root = Path(current_app.config["UPLOAD_DIR"])
    try:
        with tempfile.TemporaryDirectory(prefix=".backup-", dir=target_dir) as scratch:
            dumped = database.dump(Path(scratch))
            files: dict[str, dict] = {}
            with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                    files[dumped.path.name] = _add_file(tar, dumped.path.name, dumped.path)
                    for path in upload_files(upload_root):
                        name = f"{UPLOADS}/{path.relative_to(upload_root).as_posix()}"
                        entry = _add_file(tar, name, path)
                        if entry is not None:  # deleted meanwhile: not in the archive
                            files[name] = entry
                    manifest = {
                        "format": FORMAT,
                        "app_version": app_version(),
                        "alembic_revision": dumped.alembic_revision,
                        "database": {"kind": dumped.kind, "dump": dumped.path.name},
                        "created_at": created_at.isoformat(),
                        "tables": dumped.tables,
                        "files": files,
                    }
                    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(created_at.timestamp()), 0o644
                    tar.addfile(info, io.BytesIO(data))
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, final)
        _fsync_directory(target_dir)
    finally:
        partial.unlink(missing_ok=True)
    return final, manifest


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(target_dir: Path, keep: int) -> list[Path]:
    """Delete the oldest archives beyond the `keep` newest; other files are left alone."""
    archives = sorted(p for p in target_dir.iterdir()
                      if NAME_RE.fullmatch(p.name) and p.is_file())
    doomed = archives[:-keep] if keep else archives
    for path in doomed:
        path.unlink()
    return doomed


# Reading ------------------------------------------------------------------------------------

def _safe_member(name: str) -> bool:
    if name == MANIFEST or name in database.DUMP_NAMES.values():
        return True
    parts = PurePosixPath(name).parts
    return (len(parts) >= 2 and parts[0] == UPLOADS and not name.startswith("/")
            and all(p not in ("", ".", "..") and "\\" not in p for p in parts))


def unpack(archive: Path, dest: Path, *, extract_uploads: bool = True) -> dict:
    """Extract `archive` into `dest`, checking every member against the manifest (the
    uploaded files are only hashed unless `extract_uploads`).

    Returns the manifest; raises BackupError on a truncated or corrupt archive, a member
    missing, unexpected or whose hash differs.
    """
    seen: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with gzip.open(archive, "rb") as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or not _safe_member(name) or name in seen \
                        or (name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"Membre inattendu dans l'archive : {name}")
                source = tar.extractfile(member)
                if name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                reader = _Hashing(source)
                if extract_uploads or not name.startswith(UPLOADS + "/"):
                    out_path = dest / name
                    out_path.parent.mkdir(parents=True, exist_ok=True)
                    with open(out_path, "wb") as out:
                        shutil.copyfileobj(reader, out, _CHUNK)
                else:
                    while reader.read(_CHUNK):
                        pass
                seen[name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}
            while stream.read(_CHUNK):  # up to the gzip trailer: its CRC and length checked
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"Archive illisible ou tronquée ({archive.name}) : {error}") from error
    if manifest_bytes is None:
        raise BackupError(f"Archive incomplète, sans {MANIFEST} : {archive.name}")
    try:
        manifest = json.loads(manifest_bytes)
        expected = manifest["files"]
        kind = manifest["database"]["kind"]
        dump_name = manifest["database"]["dump"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{MANIFEST} illisible : {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Format d'archive inconnu : {manifest.get('format')}")
    problems = [f"absent : {name}" for name in sorted(set(expected) - set(seen))]
    problems += [f"non listé dans le manifeste : {name}"
                 for name in sorted(set(seen) - set(expected))]
    problems += [f"empreinte ou taille différente : {name}"
                 for name in sorted(set(seen) & set(expected)) if seen[name] != expected[name]]
    if database.DUMP_NAMES.get(kind) != dump_name or dump_name not in seen:
        problems.append(f"copie de la base absente ({kind})")
    if problems:
        raise BackupError("Archive corrompue : " + "; ".join(problems[:5])
                          + (f" (et {len(problems) - 5} autres)" if len(problems) > 5 else ""))
    return manifest


def verify(archive: Path) -> dict:
    """Every member matches the manifest and the dump reads back; returns the manifest."""
    with tempfile.TemporaryDirectory(prefix="catalyseurs-verify-") as scratch:
        manifest = unpack(archive, Path(scratch), extract_uploads=False)
        database.check_dump(manifest["database"]["kind"],
                            Path(scratch) / manifest["database"]["dump"])
    return manifest


# Restoring ----------------------------------------------------------------------------------

def restore(archive: Path, *, force: bool = False) -> dict:
    """Replace the database and the upload directory by the archive's.

    Everything is checked before anything changes: the archive (hashes, readable dump) and
    the target (refused when it holds rows or files, unless `force`).
    """
    upload_root = Path(current_app.config["UPLOAD_DIR"])
    upload_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=upload_root.parent) as scratch:
        staging = Path(scratch)
        manifest = unpack(archive, staging)
        kind, dump_name = manifest["database"]["kind"], manifest["database"]["dump"]
        database.check_dump(kind, staging / dump_name)
        if database.database_kind(db.engine) != kind:
            raise BackupError(f"L'archive contient une base {kind}, la base configurée est "
                              f"{db.engine.dialect.name}.")
        if not database.known_revision(manifest.get("alembic_revision")):
            raise BackupError(
                f"L'archive vient d'une version plus récente (révision Alembic "
                f"{manifest['alembic_revision']}, version {manifest.get('app_version')}) : "
                "déployez cette version avant de restaurer.")
        if not force:
            _refuse_non_empty(upload_root)
        database.restore(kind, staging / dump_name)
        _replace_uploads(staging / UPLOADS, upload_root)
    counts = database.current_counts()
    if counts != manifest["tables"]:
        differ = sorted(n for n in set(counts) | set(manifest["tables"])
                        if counts.get(n) != manifest["tables"].get(n))
        raise BackupError("Après restauration, les lignes diffèrent du manifeste : "
                          + ", ".join(differ[:10]))
    return manifest


def _refuse_non_empty(upload_root: Path) -> None:
    rows = database.non_empty_tables()
    files = upload_files(upload_root)
    if rows or files:
        held = ", ".join(f"{name} ({n})" for name, n in sorted(rows.items())[:5])
        raise BackupError(
            "La cible n'est pas vide"
            + (f" : tables {held}" + ("…" if len(rows) > 5 else "") if rows else "")
            + (f" ; {len(files)} fichiers dans {upload_root}" if files else "")
            + ". Relancez avec --force pour la remplacer.")


def _replace_uploads(source: Path, upload_root: Path) -> None:
    upload_root.mkdir(parents=True, exist_ok=True)
    for entry in upload_root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    if source.is_dir():
        for entry in source.iterdir():
            shutil.move(str(entry), str(upload_root / entry.name))
