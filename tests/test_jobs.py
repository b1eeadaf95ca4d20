"""Background jobs (app/jobs.py): after commit only, JSON payloads, the in-process pool with
its retries, `flask jobs ...`, and with TEST_REDIS_URL the RQ queue: a job waits for a
worker started later, a flaky job is retried, a job whose worker was killed (SIGKILL)
mid-run is run again, texts left `queued` are enqueued again."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app import jobs
from app.db import transaction, utcnow
from app.extensions import db
from app.library.models import Version
from tests.conftest import login
from tests.factories import PASSWORD
from tests.jobs_support import REDIS_URL, SmtpServer, free_port, rq_settings
from tests.library.support import submit

ROOT = Path(__file__).resolve().parent.parent
RECORDED: list = []
FAILURES: dict[str, int] = {}


@jobs.job("test.record")
def record(value, *, marker=None):
    RECORDED.append((value, marker))


@jobs.job("test.flaky")
def flaky(key):
    """Fails while FAILURES[key] is positive, counting down."""
    if FAILURES.get(key, 0) > 0:
        FAILURES[key] -= 1
        raise RuntimeError(f"flaky {key} failed")
    RECORDED.append(("flaky", key))


@pytest.fixture(autouse=True)
def _clean():
    RECORDED.clear()
    FAILURES.clear()


def version_of(document) -> Version:
    return db.session.scalars(select(Version).where(Version.document_id == document.id)).one()


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["jobs", *args])


# enqueue -----------------------------------------------------------------------------------

def test_a_job_runs_after_the_commit_and_not_after_a_rollback(app):
    with transaction():
        jobs.enqueue("test.record", 1, marker="a")
        assert RECORDED == []
    assert RECORDED == [(1, "a")]
    with pytest.raises(RuntimeError), transaction():
        jobs.enqueue("test.record", 2)
        raise RuntimeError("boom")
    assert RECORDED == [(1, "a")]


def test_enqueue_waits_for_the_next_commit_and_enqueue_now_does_not(app):
    db.session.close()
    jobs.enqueue("test.record", 3)
    assert RECORDED == []
    db.session.commit()
    assert RECORDED == [(3, None)]
    jobs.enqueue_now("test.record", 4)
    assert RECORDED == [(3, None), (4, None)]
    with pytest.raises(TypeError):
        jobs.enqueue_now("test.record", object())


def test_payloads_are_plain_values_and_names_are_registered(app, member):
    with pytest.raises(TypeError, match="plain JSON"):
        jobs.enqueue("test.record", member)
    with pytest.raises(KeyError):
        jobs.enqueue("no.such.job")
    with pytest.raises(ValueError):
        jobs.job("test.record")(lambda: None)
    assert {"mail.send", "library.extract"} <= set(jobs.registered())


def test_a_failing_job_in_sync_mode_is_logged(app, caplog):
    FAILURES["k"] = 1
    with transaction():
        jobs.enqueue("test.flaky", "k")
    assert "job test.flaky failed" in caplog.text and RECORDED == []


# In-process pool (embedded mode) ------------------------------------------------------------

class TestInProcess:
    @pytest.fixture
    def app_overrides(self, tmp_path):
        return {"JOBS_SYNC": False, "JOBS_RETRY_INTERVALS": (0, 0),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}"}

    def test_a_flaky_job_is_retried_until_it_succeeds(self, app, runner):
        FAILURES["x"] = 2
        with transaction():
            jobs.enqueue("test.flaky", "x")
        assert runner.wait_idle(10)
        assert RECORDED == [("flaky", "x")] and jobs.status(app)["failed"] == 0

    def test_after_its_retries_a_job_is_listed_and_can_be_retried(self, app, runner):
        FAILURES["y"] = 3
        with transaction():
            jobs.enqueue("test.flaky", "y")
        assert runner.wait_idle(10) and RECORDED == []
        result = cli(app, "status")
        assert result.exit_code == 0
        assert "failed: 1" in result.output and "flaky y failed" in result.output
        assert "non durable" in result.output
        job_id = jobs.status(app)["failed_jobs"][0]["id"]
        assert cli(app, "retry", "nope").exit_code == 1
        assert cli(app, "retry", job_id).exit_code == 0
        assert runner.wait_idle(10)
        assert RECORDED == [("flaky", "y")] and jobs.status(app)["failed"] == 0

    def test_the_worker_needs_redis(self, app):
        result = cli(app, "worker")
        assert result.exit_code == 1 and "REDIS_URL" in result.output


# requeue-stuck -----------------------------------------------------------------------------

def test_texts_left_queued_are_extracted_again(app, member):
    old = submit(member, "vieux.md", b"Le compostage du quartier.", title="Vieux")
    recent = submit(member, "neuf.md", b"Le jardin partage.", title="Neuf")
    with transaction():
        for document, age in ((old, 120), (recent, 5)):
            version = version_of(document)
            version.text_state, version.text = "queued", ""
            version.created_at = utcnow() - timedelta(minutes=age)
    result = cli(app, "requeue-stuck", "--minutes", "30")
    assert result.exit_code == 0 and "Tâches relancées : 1" in result.output
    db.session.expire_all()
    assert (version_of(old).text_state, version_of(recent).text_state) == ("done", "queued")


# RQ (TEST_REDIS_URL) -----------------------------------------------------------------------

def drop_queue(app) -> None:
    """Delete the test queue, its registries and their jobs."""
    from rq.job import Job

    queue = jobs.rq_queue(app)
    connection = queue.connection
    ids = set(queue.get_job_ids())
    for registry in (queue.started_job_registry, queue.failed_job_registry,
                     queue.scheduled_job_registry, queue.finished_job_registry,
                     queue.deferred_job_registry, queue.canceled_job_registry):
        ids |= set(registry.get_job_ids())
    for job_id in ids:
        connection.delete(Job.key_for(job_id))
    for key in connection.scan_iter(f"*{queue.name}*"):
        connection.delete(key)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants, as systemd does to a unit's cgroup (RQ's
    work horse runs in its own process group, so killing the group is not enough)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    for member in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: set TEST_REDIS_URL")
class TestRq:
    @pytest.fixture
    def port(self):
        return free_port()

    @pytest.fixture
    def app_overrides(self, tmp_path, port):
        return rq_settings(tmp_path, port, "jobs", UPLOAD_DIR=str(tmp_path / "uploads"),
                           MAIL_TIMEOUT=30)

    @pytest.fixture(autouse=True)
    def _queue(self, app):
        yield
        drop_queue(app)

    def test_a_job_enqueued_without_worker_waits_for_one(self, app):
        with transaction():
            jobs.enqueue("test.record", 7, marker="later")
        assert jobs.status(app)["queued"] == 1 and RECORDED == []
        jobs.run_worker(app, burst=True, simple=True)
        assert RECORDED == [(7, "later")]
        assert jobs.status(app)["queued"] == 0

    def test_a_flaky_job_is_retried_and_a_failed_one_listed_then_retried(self, app):
        FAILURES.update(a=2, b=3)
        with transaction():
            jobs.enqueue("test.flaky", "a")
            jobs.enqueue("test.flaky", "b")
        jobs.run_worker(app, burst=True, simple=True)
        assert RECORDED == [("flaky", "a")]
        result = cli(app, "status")
        assert "failed: 1" in result.output and "flaky b failed" in result.output
        job_id = jobs.status(app)["failed_jobs"][0]["id"]
        assert cli(app, "retry", "nope").exit_code == 1
        assert cli(app, "retry", job_id).exit_code == 0
        assert jobs.status(app)["queued"] == 1
        jobs.run_worker(app, burst=True, simple=True)
        assert RECORDED == [("flaky", "a"), ("flaky", "b")]
        assert jobs.status(app)["failed"] == 0

    def test_the_admin_page_shows_the_queue_and_relaunches(self, app, as_admin):
        FAILURES["q"] = 3
        with transaction():
            jobs.enqueue("test.flaky", "q")
        html = as_admin.get("/admin/taches").get_data(as_text=True)
        assert 'data-count="queued">1<' in html and "flask jobs worker" in html
        jobs.run_worker(app, burst=True, simple=True)
        html = as_admin.get("/admin/taches").get_data(as_text=True)
        assert 'data-count="failed">1<' in html and "flaky q failed" in html
        job_id = jobs.status(app)["failed_jobs"][0]["id"]
        assert as_admin.post(f"/admin/taches/{job_id}/relancer").status_code == 302
        jobs.run_worker(app, burst=True, simple=True)
        assert RECORDED == [("flaky", "q")]

    def test_a_library_text_is_extracted_by_the_worker(self, app, member):
        document = submit(member, "notes.md", b"Le compostage partage.", title="Notes")
        assert version_of(document).text_state == "queued"
        jobs.run_worker(app, burst=True, simple=True)
        db.session.expire_all()
        assert version_of(document).text_state == "done"

    def test_a_job_whose_worker_was_killed_runs_again(self, app, port, tmp_path):
        """A worker process (the real `flask jobs worker`) is SIGKILLed while it sends an
        email to a server that hangs; RQ's cleanup of abandoned jobs (run by every worker
        once the dead one's heartbeat expired: simulated by a later timestamp) puts it back
        in the queue, and a worker started afterwards delivers it."""
        from rq.job import Job
        from rq.registry import StartedJobRegistry

        server = SmtpServer(port=port, delay=30)
        env = {**os.environ, "FLASK_CONFIG": "development", "REDIS_URL": REDIS_URL,
               "JOBS_QUEUE": app.config["JOBS_QUEUE"], "MAIL_SERVER": "127.0.0.1",
               "MAIL_PORT": str(port), "MAIL_USE_TLS": "0", "MAIL_TIMEOUT": "30",
               "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "UPLOAD_DIR": str(tmp_path / "uploads")}
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
        try:
            with transaction():
                jobs.enqueue("mail.send", {"to": ["lea@exemple.fr"], "subject": "Relance",
                                           "text": "t", "html": "<p>t</p>", "headers": {}})
            queue = jobs.rq_queue(app)
            started = StartedJobRegistry(queue=queue)
            worker = subprocess.Popen(command, cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 12
                while (started.count == 0 or server.connections == 0) \
                        and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert started.count == 1 and server.connections == 1
            finally:
                kill_tree(worker.pid)
                worker.wait(5)
            job_id = started.get_job_ids()[0]
            jobs.requeue_stuck(app, 30)  # the heartbeat has not expired yet: still started
            assert queue.count == 0 and started.count == 1
            started.cleanup(timestamp=time.time() + 600)
            assert queue.get_job_ids() == [job_id]
            assert Job.fetch(job_id, connection=queue.connection).retries_left == 1
            server.delay = 0
            second = subprocess.run([*command, "--burst"], cwd=ROOT, env=env, timeout=30,
                                    capture_output=True, text=True)
            assert second.returncode == 0, second.stderr[-2000:]
            assert server.subjects() == ["Relance"]
            assert jobs.status(app)["failed"] == 0
        finally:
            server.close()


# Admin page "Tâches de fond" ----------------------------------------------------------------

def test_the_jobs_page_is_for_admins_only(client, member):
    assert client.get("/admin/taches").status_code in (302, 401, 403)
    login(client, member)
    assert client.get("/admin/taches").status_code == 403
    assert client.post("/admin/taches/abc/relancer").status_code == 403


class TestAdminPage:
    @pytest.fixture
    def app_overrides(self, tmp_path):
        return {"JOBS_SYNC": False, "JOBS_RETRY_INTERVALS": (),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}"}

    def test_failed_jobs_are_listed_and_relaunched(self, app, as_admin, runner):
        FAILURES["z"] = 1
        with transaction():
            jobs.enqueue("test.flaky", "z")
        assert runner.wait_idle(10)
        page = as_admin.get("/admin/taches")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Tâches de fond" in html and "processus web" in html
        assert 'data-count="failed">1<' in html and "flaky z failed" in html
        assert 'href="/admin/taches"' in as_admin.get("/admin/membres").get_data(as_text=True)
        job_id = jobs.status(app)["failed_jobs"][0]["id"]
        assert as_admin.post("/admin/taches/inconnue/relancer").status_code == 404
        assert as_admin.post("/admin/taches/a.b/relancer").status_code == 404
        answer = as_admin.post(f"/admin/taches/{job_id}/relancer")
        assert answer.status_code == 302 and answer.location.endswith("/admin/taches")
        assert runner.wait_idle(10) and RECORDED == [("flaky", "z")]
        html = as_admin.get("/admin/taches").get_data(as_text=True)
        assert "Aucune tâche en échec." in html and "Tâche relancée." in html


class TestAdminPageCsrf:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_relaunch_needs_the_csrf_token(self, app, client, admin):
        page = client.get("/connexion").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/connexion", data={"email": admin.email, "password": PASSWORD,
                                        "csrf_token": token})
        assert client.get("/admin/taches").status_code == 200
        assert client.post("/admin/taches/abc/relancer").status_code == 400


class TestRedisDown:
    @pytest.fixture
    def app_overrides(self, tmp_path):
        return {"JOBS_SYNC": False, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}"}

    def test_a_job_still_runs_in_process_and_the_page_says_so(self, app, runner, as_admin,
                                                              caplog):
        with transaction():
            jobs.enqueue("test.record", 9)
        assert runner.wait_idle(10) and RECORDED == [(9, None)]
        assert "Redis unreachable" in caplog.text
        page = as_admin.get("/admin/taches")
        assert page.status_code == 503
        assert "injoignable" in page.get_data(as_text=True)
