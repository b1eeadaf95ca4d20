"""`flask jobs worker|status|retry|requeue-stuck` (see app/jobs.py)."""

from __future__ import annotations

import click
from flask import Flask, current_app

from . import jobs

jobs_cli = click.Group("jobs", help="Tâches de fond (courriels, extraction de texte).")


def _app() -> Flask:
    return current_app._get_current_object()


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="S'arrêter quand la file est vide.")
def worker(burst: bool) -> None:
    """Run the jobs of the REDIS_URL queue (its own process; systemd restarts it)."""
    app = _app()
    if jobs.mode(app) != "rq":
        raise click.ClickException(
            "REDIS_URL n'est pas défini : les tâches s'exécutent dans le processus web.")
    count = jobs.requeue_stuck(app, app.config["JOBS_STUCK_MINUTES"])
    click.echo(f"Tâches relancées au démarrage : {count}")
    jobs.run_worker(app, burst=burst)


@jobs_cli.command("status")
def status() -> None:
    """Counts of queued, started, failed and scheduled jobs; the failed ones with their error."""
    app = _app()
    state = jobs.status(app)
    where = f"file {state['queue']}" if state["queue"] else "processus web (non durable)"
    click.echo(f"Mode : {state['mode']} ({where})")
    for key in ("queued", "started", "failed", "scheduled"):
        click.echo(f"{key}: {state[key]}")
    for failed in state["failed_jobs"]:
        click.echo(f"  {failed['id']}  {failed['name']}  {failed['error']}")


@jobs_cli.command("retry")
@click.argument("job_id")
def retry(job_id: str) -> None:
    """Put a failed job back in the queue."""
    if not jobs.retry(_app(), job_id):
        raise click.ClickException(f"Aucune tâche en échec avec l'identifiant {job_id}")
    click.echo(f"Tâche {job_id} relancée.")


@jobs_cli.command("requeue-stuck")
@click.option("--minutes", type=int, default=None,
              help="Ancienneté minimale (défaut : JOBS_STUCK_MINUTES).")
def requeue_stuck(minutes: int | None) -> None:
    """Enqueue again the work left waiting by a dead worker (e.g. texts still `queued`)."""
    app = _app()
    count = jobs.requeue_stuck(app, app.config["JOBS_STUCK_MINUTES"] if minutes is None
                               else minutes)
    click.echo(f"Tâches relancées : {count}")
