"""The admin page "Tâches de fond" in a real browser: reached from the administration tabs,
a failed job listed with its error, "Relancer" (a POST with its CSRF token) runs it again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app import jobs
from tests.e2e.test_onboarding import log_in
from tests.factories import PASSWORD, make_user
from tests.test_jobs import FAILURES, RECORDED

pytestmark = pytest.mark.e2e


def test_an_admin_relaunches_a_failed_job(live_server, page, monkeypatch):
    runner = jobs.LocalRunner()
    monkeypatch.setattr(jobs, "_local", runner)
    RECORDED.clear()
    FAILURES["e2e"] = 1
    live_server.app.config["JOBS_RETRY_INTERVALS"] = ()
    runner.submit(live_server.app, "test.flaky", ["e2e"], {})
    assert runner.wait_idle(10) and len(runner.failed) == 1
    with live_server.app.app_context():
        make_user(name="Claire Dubois", email="claire@exemple.fr", role="admin")

    log_in(page, "claire@exemple.fr", PASSWORD)
    page.goto("/admin/membres")
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Tâches de fond").click()
    expect(page.get_by_role("heading", name="Tâches de fond")).to_be_visible()
    expect(page.get_by_text("Mode intégré")).to_be_visible()
    expect(page.get_by_role("cell", name="RuntimeError: flaky e2e failed")).to_be_visible()
    page.get_by_role("button", name="Relancer").click()
    expect(page.get_by_text("Tâche relancée.")).to_be_visible()
    assert runner.wait_idle(10) and RECORDED == [("flaky", "e2e")]
    page.reload()
    expect(page.get_by_text("Aucune tâche en échec.")).to_be_visible()
