"""Backups and restore: `flask backup create/verify/restore` (see README and docs/deploy.md).

archive.py writes and reads the archive, database.py dumps and restores the database,
cli.py is the command group registered by app/cli.py.
"""

from __future__ import annotations

from .archive import create, prune, restore, verify
from .cli import backup
from .database import BackupError

__all__ = ["BackupError", "backup", "create", "prune", "restore", "verify"]
