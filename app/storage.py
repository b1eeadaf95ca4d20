"""File storage behind a small interface; the default keeps files in a local directory.

Keys are generated (never the user's file name), sharded by their first characters, so a
user-supplied name can neither traverse directories nor collide.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

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
