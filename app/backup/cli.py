"""`flask backup create [--to DIR] [--keep N]`, `flask backup verify ARCHIVE`,
`flask backup restore ARCHIVE [--force]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from . import archive
from .database import BackupError

backup = click.Group("backup", help="Sauvegardes et restauration (base et fichiers déposés).")

_ARCHIVE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _summary(manifest: dict) -> str:
    rows = sum(manifest["tables"].values())
    files = sum(1 for name in manifest["files"] if name.startswith(archive.UPLOADS + "/"))
    return (f"base {manifest['database']['kind']}, {len(manifest['tables'])} tables, "
            f"{rows} lignes, {files} fichiers déposés, créée le {manifest['created_at']}")


@backup.command("create")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Dossier de destination (par défaut BACKUP_DIR).")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Ne garder que les N archives les plus récentes de ce dossier.")
def backup_create(target: Path | None, keep: int | None) -> None:
    """Write one archive (database dump, uploads, manifest) while the site runs."""
    target = target or Path(current_app.config["BACKUP_DIR"])
    try:
        path, manifest = archive.create(target)
    except (BackupError, OSError) as error:  # OSError: disk full, permissions...
        raise click.ClickException(str(error)) from error
    size = path.stat().st_size
    shown = f"{size / 1e6:.1f} Mo" if size >= 1e6 else f"{max(1, round(size / 1e3))} ko"
    click.echo(f"Sauvegarde créée : {path} ({shown} ; {_summary(manifest)})")
    if keep:
        removed = archive.prune(target, keep)
        click.echo(f"Anciennes sauvegardes supprimées : {len(removed)}")


@backup.command("verify")
@click.argument("path", metavar="ARCHIVE", type=_ARCHIVE)
def backup_verify(path: Path) -> None:
    """Check every member against the manifest and that the dump reads back."""
    try:
        manifest = archive.verify(path)
    except (BackupError, OSError) as error:  # OSError: disk full, permissions...
        raise click.ClickException(str(error)) from error
    click.echo(f"Archive intacte : {path.name} ({_summary(manifest)})")


@backup.command("restore")
@click.argument("path", metavar="ARCHIVE", type=_ARCHIVE)
@click.option("--force", is_flag=True,
              help="Remplacer une base ou un dossier de fichiers qui ne sont pas vides.")
def backup_restore(path: Path, force: bool) -> None:
    """Verify the archive, then replace the database and the upload directory with it.

    Stop the application first: its connections would hold the old database.
    """
    try:
        manifest = archive.restore(path, force=force)
    except (BackupError, OSError) as error:  # OSError: disk full, permissions...
        raise click.ClickException(str(error)) from error
    click.echo(f"Restauration terminée : {path.name} ({_summary(manifest)})")
