"""Background jobs: the one way slow or external work (email, text extraction) leaves the
request.

    @job("mail.send")
    def deliver(message: dict) -> None: ...

    jobs.enqueue("mail.send", message)   # leaves after the current transaction commits

A job runs in its own application context and `transaction()`; its arguments are plain
JSON values (ids, strings, dicts of them), never ORM objects: the row is read again by the
job, which may run in another process minutes later.

Where it runs:
- `REDIS_URL` set: an RQ queue (`JOBS_QUEUE`) in Redis, run by `flask jobs worker`, its own
  process. Durable: a job enqueued while no worker runs waits in Redis; a failing job is
  retried with backoff (`JOBS_RETRY_INTERVALS`), then kept in the failed registry
  (`flask jobs status`, `flask jobs retry`, the admin page "Tâches de fond").
- no `REDIS_URL` (embedded `make run`): a small thread pool in the web process, with the
  same retries, but in memory: a restart forgets what was waiting (demos and pilots).
- `JOBS_SYNC` (the testing configuration): right after the commit, in the calling thread.
A Redis that cannot be reached when a job is enqueued does not lose it: the job runs in
the in-process pool instead (logged).
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app

from .db import on_commit, transaction
from .extensions import db

log = logging.getLogger(__name__)

_JOBS: dict[str, Callable[..., Any]] = {}
_RECOVERIES: list[Callable[[int], int]] = []
_worker_app: Flask | None = None


def job(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `function` as the job `name` (one function per name)."""
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if _JOBS.get(name, function) is not function:
            raise ValueError(f"job {name!r} is already registered")
        _JOBS[name] = function
        return function
    return register


def recovery(function: Callable[[int], int]) -> Callable[[int], int]:
    """Register `function(minutes)`: it enqueues again the work a feature sees as waiting
    for longer than `minutes` (a version whose text is still `queued`) and returns how
    many. Run by `flask jobs requeue-stuck` and at worker start."""
    if function not in _RECOVERIES:
        _RECOVERIES.append(function)
    return function


def registered() -> list[str]:
    return sorted(_JOBS)


def _checked(name: str, args: tuple, kwargs: dict) -> None:
    if name not in _JOBS:
        raise KeyError(f"unknown job {name!r}")
    try:
        json.dumps([args, kwargs])
    except (TypeError, ValueError) as error:
        raise TypeError(f"job {name!r}: arguments must be plain JSON values ({error})") from None


def enqueue(name: str, *args: Any, **kwargs: Any) -> None:
    """Run the job `name` once the current transaction commits; dropped if it rolls back.

    The job belongs to the session's transaction, begun here if no statement has begun it
    yet (`with transaction(): enqueue(...)` waits for that block's commit). Work that is
    in no unit of work at all uses `enqueue_now`.
    """
    _checked(name, args, kwargs)
    app = current_app._get_current_object()
    session = db.session()
    if not session.in_transaction():
        session.begin()
    on_commit(lambda: dispatch(app, name, list(args), kwargs))


def enqueue_now(name: str, *args: Any, **kwargs: Any) -> None:
    """Hand the job over at once, whatever the session is doing (scripts, recoveries)."""
    _checked(name, args, kwargs)
    dispatch(current_app._get_current_object(), name, list(args), kwargs)


def mode(app: Flask) -> str:
    """`sync` (tests), `rq` (REDIS_URL) or `thread` (embedded)."""
    if app.config.get("JOBS_SYNC"):
        return "sync"
    return "rq" if app.config.get("REDIS_URL") else "thread"


def retry_intervals(app: Flask) -> list[int]:
    return [int(s) for s in app.config.get("JOBS_RETRY_INTERVALS") or ()]


def dispatch(app: Flask, name: str, args: list, kwargs: dict) -> None:
    """Hand a committed job to where it runs."""
    where = mode(app)
    if where == "sync":
        try:
            run(app, name, args, kwargs)
        except Exception:
            log.exception("job %s failed", name)
        return
    if where == "rq":
        from redis.exceptions import RedisError

        try:
            rq_enqueue(app, name, args, kwargs)
            return
        except RedisError:
            log.exception("jobs: Redis unreachable, job %s runs in this process", name)
    local_runner().submit(app, name, args, kwargs)


def run(app: Flask, name: str, args: list, kwargs: dict) -> Any:
    """Run one job in its own application context and transaction; errors propagate (the
    caller retries)."""
    function = _JOBS.get(name)
    if function is None:
        raise LookupError(f"unknown job {name!r}")
    with app.app_context(), transaction():
        return function(*args, **kwargs)


def execute(name: str, args: list, kwargs: dict) -> Any:
    """What RQ runs (stored as `app.jobs.execute`): the job by its registered name."""
    app = _worker_app or current_app._get_current_object()
    return run(app, name, args, kwargs)


# RQ ----------------------------------------------------------------------------------------

def redis_connection(app: Flask):
    from redis import Redis

    connection = app.extensions.get("jobs_redis")
    if connection is None:
        connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2,
                                    socket_timeout=10)
        app.extensions["jobs_redis"] = connection
    return connection


def rq_queue(app: Flask):
    from rq import Queue

    return Queue(app.config.get("JOBS_QUEUE") or "catalyseurs",
                 connection=redis_connection(app))


def rq_enqueue(app: Flask, name: str, args: list, kwargs: dict):
    from rq import Retry

    intervals = retry_intervals(app)
    retry = Retry(max=len(intervals), interval=intervals) if intervals else None
    return rq_queue(app).enqueue_call(
        execute, args=(name, args, kwargs), retry=retry, description=name,
        timeout=int(app.config.get("JOBS_TIMEOUT") or 600),
        failure_ttl=60 * 60 * 24 * 30)


def run_worker(app: Flask, *, burst: bool = False, simple: bool = False) -> bool:
    """Run an RQ worker on the app's queue (with the scheduler that retries need).

    The default worker forks a child per job: a crash or a leak in one extraction ends
    with that child. The database pool is emptied first so that no child shares the
    parent's connections.
    """
    from rq import SimpleWorker, Worker

    global _worker_app
    _worker_app = app
    db.engine.dispose()
    worker_class = SimpleWorker if simple else Worker
    worker = worker_class([rq_queue(app)], connection=redis_connection(app))
    try:
        return worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        _worker_app = None


def _rq_error(rq_job) -> str:
    result = rq_job.latest_result() if hasattr(rq_job, "latest_result") else None
    text = (getattr(result, "exc_string", None) or "").strip()
    return text.splitlines()[-1] if text else ""


# In-process pool (embedded mode, and the fallback when Redis cannot be reached) -----------

@dataclass
class LocalFailure:
    id: str
    name: str
    args: list
    kwargs: dict
    error: str
    ended_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class LocalRunner:
    """A few threads of the web process running jobs, retried with the configured backoff;
    what failed for good is kept (the last 100) for the status page. Not durable."""

    def __init__(self, workers: int = 2) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jobs")
        self.failed: deque[LocalFailure] = deque(maxlen=100)
        self.lock = threading.Condition()
        self.pending = 0
        self.running = 0
        self.scheduled = 0

    def submit(self, app: Flask, name: str, args: list, kwargs: dict, attempt: int = 0) -> None:
        with self.lock:
            self.pending += 1
        self.executor.submit(self._run, app, name, args, kwargs, attempt)

    def _run(self, app: Flask, name: str, args: list, kwargs: dict, attempt: int) -> None:
        with self.lock:
            self.running += 1
        try:
            run(app, name, args, kwargs)
        except Exception as error:
            intervals = retry_intervals(app)
            if attempt < len(intervals):
                log.warning("job %s failed (attempt %d), retried in %ss: %s",
                            name, attempt + 1, intervals[attempt], error)
                self._later(intervals[attempt], app, name, args, kwargs, attempt + 1)
            else:
                log.exception("job %s failed for good after %d attempts", name, attempt + 1)
                self.failed.append(LocalFailure(uuid.uuid4().hex, name, args, kwargs,
                                                _last_line(error)))
        finally:
            with self.lock:
                self.running -= 1
                self.pending -= 1
                self.lock.notify_all()

    def _later(self, delay: float, *job_args: Any) -> None:
        with self.lock:
            self.pending += 1
            self.scheduled += 1

        def fire() -> None:
            with self.lock:
                self.pending -= 1
                self.scheduled -= 1
            self.submit(*job_args)

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        timer.start()

    def retry(self, app: Flask, failure_id: str) -> bool:
        for failure in list(self.failed):
            if failure.id == failure_id:
                self.failed.remove(failure)
                self.submit(app, failure.name, failure.args, failure.kwargs)
                return True
        return False

    def wait_idle(self, timeout: float = 30) -> bool:
        """True once nothing runs or waits (tests)."""
        with self.lock:
            return self.lock.wait_for(lambda: self.pending == 0, timeout)


def _last_line(error: BaseException) -> str:
    lines = traceback.format_exception_only(type(error), error)
    return lines[-1].strip() if lines else repr(error)


_local: LocalRunner | None = None
_local_lock = threading.Lock()


def local_runner() -> LocalRunner:
    global _local
    with _local_lock:
        if _local is None:
            _local = LocalRunner()
        return _local


# Status, retry, recovery (CLI and admin page) ----------------------------------------------

def status(app: Flask, limit: int = 50) -> dict:
    """Counts (queued, started, failed, scheduled) and the failed jobs, newest first."""
    if mode(app) == "rq":
        from rq.job import Job
        from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

        queue = rq_queue(app)
        failed_registry = FailedJobRegistry(queue=queue)
        ids = failed_registry.get_job_ids(0, limit - 1, desc=True)
        failed = [{"id": j.id, "name": (j.args or ["?"])[0], "error": _rq_error(j),
                   "ended_at": j.ended_at}
                  for j in Job.fetch_many(ids, connection=queue.connection) if j is not None]
        return {"mode": "rq", "queue": queue.name, "queued": queue.count,
                "started": StartedJobRegistry(queue=queue).count,
                "failed": failed_registry.count,
                "scheduled": ScheduledJobRegistry(queue=queue).count, "failed_jobs": failed}
    runner = local_runner()
    with runner.lock:
        failures = list(reversed(runner.failed))[:limit]
        counts = {"queued": runner.pending - runner.running - runner.scheduled,
                  "started": runner.running, "scheduled": runner.scheduled}
    return {"mode": mode(app), "queue": None, **counts, "failed": len(runner.failed),
            "failed_jobs": [{"id": f.id, "name": f.name, "error": f.error,
                             "ended_at": f.ended_at} for f in failures]}


def retry(app: Flask, job_id: str) -> bool:
    """Run a failed job again (fresh retries); False when no failed job has this id."""
    if mode(app) == "rq":
        from rq.exceptions import InvalidJobOperation, NoSuchJobError
        from rq.registry import FailedJobRegistry

        try:
            FailedJobRegistry(queue=rq_queue(app)).requeue(job_id)
        except (InvalidJobOperation, NoSuchJobError):
            return False
        return True
    return local_runner().retry(app, job_id)


def requeue_stuck(app: Flask, minutes: int) -> int:
    """Recover what a dead worker or a restart left behind.

    RQ: jobs whose worker was killed mid-run (their StartedJobRegistry entry is past its
    heartbeat) go back to the queue while they have retries left, else to the failed
    registry (RQ's own cleanup). Features: each `recovery` enqueues again its work that has
    waited more than `minutes`. Returns how many were enqueued again by the features.
    """
    if mode(app) == "rq":
        from rq.registry import StartedJobRegistry

        StartedJobRegistry(queue=rq_queue(app)).cleanup()
    count = 0
    with app.app_context():
        for function in _RECOVERIES:
            with transaction():
                count += function(minutes)
    return count
