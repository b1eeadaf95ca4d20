"""File storage behind a small interface; the default keeps files in a local directory.

Keys are generated (never the user's file name), sharded by their first characters, so a
user-supplied name can neither traverse directories nor collide.

A file saved during a transaction that rolls back is deleted (`app.db.on_rollback`): the row
that would have pointed to it never exists. What a crash leaves behind anyway (a process
killed between writing the file and committing) is found by `flask storage gc`.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import click
from flask import current_app, has_app_context
from sqlalchemy import select

from .db import on_rollback
from .extensions import db

_KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?")


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class LocalStorage:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY_RE.fullmatch(key or ""):
            raise ValueError("invalid storage key")
        return self.root / key

    def save(self, data: bytes | BinaryIO, suffix: str = "") -> StoredFile:
        """Write content under a fresh random key; returns its key, size and SHA-256."""
        name = secrets.token_hex(16) + suffix
        key = f"{name[:2]}/{name}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        tmp = path.with_suffix(path.suffix + ".part")
        with open(tmp, "wb") as out:
            chunks = [data] if isinstance(data, bytes) else iter(lambda: data.read(65536), b"")
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        os.replace(tmp, path)
        if has_app_context():
            on_rollback(lambda: self.delete(key))
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def path(self, key: str) -> Path:
        return self._path(key)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def get_storage() -> LocalStorage:
    return LocalStorage(current_app.config["UPLOAD_DIR"])


# Orphans ---------------------------------------------------------------------------------

# Columns that hold a storage key, whatever their table (found in the metadata, so a new
# table with a `storage_key` column is covered without touching this list).
KEY_COLUMNS = frozenset({"storage_key", "avatar_key", "cover_key"})


def referenced_keys() -> set[str]:
    """Every storage key some row points to: one query per column that holds keys."""
    keys: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name in KEY_COLUMNS:
                keys.update(k for k in db.session.scalars(
                    select(column).where(column.isnot(None)).distinct()) if k)
    return keys


def orphans(older_than_hours: float = 24) -> list[tuple[str, int]]:
    """(relative path, size) of the files under UPLOAD_DIR no row points to, last modified
    more than `older_than_hours` ago (younger files may belong to a request in progress)."""
    root = Path(current_app.config["UPLOAD_DIR"])
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_hours * 3600
    referenced = referenced_keys()
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        key = path.relative_to(root).as_posix()
        stat = path.stat()
        if key not in referenced and stat.st_mtime < cutoff:
            found.append((key, stat.st_size))
    return found


storage_cli = click.Group("storage", help="Fichiers envoyés (UPLOAD_DIR).")


@storage_cli.command("gc")
@click.option("--older-than-hours", type=click.FloatRange(min=0), default=24.0,
              show_default=True, help="Ignorer les fichiers plus récents.")
@click.option("--delete", is_flag=True, help="Supprimer les fichiers listés.")
def storage_gc(older_than_hours: float, delete: bool) -> None:
    """List (and with --delete remove) files that no row references."""
    root = Path(current_app.config["UPLOAD_DIR"])
    found = orphans(older_than_hours)
    for key, size in found:
        if delete:
            (root / key).unlink(missing_ok=True)
        click.echo(f"{'supprimé' if delete else 'orphelin'} {key} ({size} octets)")
    total = sum(size for _key, size in found)
    verb = "supprimés" if delete else "trouvés"
    click.echo(f"Fichiers orphelins {verb} : {len(found)} ({total} octets).")
