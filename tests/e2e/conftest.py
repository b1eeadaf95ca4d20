"""Real-browser fixtures: the app served by a threaded werkzeug server, Debian's Chromium
driven by Playwright (sync API).

The server runs the real configuration a user meets: a file-based SQLite database (shared
by the server threads and the test's own factory calls), CSRF on, the strict CSP headers,
mail kept in the locmem outbox. Every console error and uncaught page error seen by any
page of any context fails the test, unless the test declared it expected (a 404 page, say).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app, taxonomy
from app.db import transaction
from app.extensions import db, limiter

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Playwright's default is 30 s; a local page that needs more than this is a failure.
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    url: str
    app: Flask
    server: BaseWSGIServer

    def outbox(self) -> list:
        """Messages sent through the locmem mail backend so far."""
        return self.app.extensions["mailman"].outbox


def _not_serving(environ, start_response):  # pragma: no cover - replaced before serving
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"not ready"]


@pytest.fixture
def live_server(tmp_path):
    # Bind first (port 0: the OS picks a free port, no race), then build the app knowing
    # its URL, then hand the app to the server before it serves anything.
    server = make_server("127.0.0.1", 0, _not_serving, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
        "SERVER_NAME": None,
        "BASE_URL": url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_BACKEND": "locmem",
    })
    with app.app_context():
        db.create_all()
        with transaction():
            taxonomy.sync_terms(taxonomy.read_file(app.config["TAXONOMY_FILE"]))
        limiter.reset()
        db.session.remove()
    app.extensions["mailman"].outbox = []
    server.app = app
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server",
                              daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app, server=server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium); "
                    "real-browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BrowserErrors:
    """Console errors and uncaught exceptions from every page; CSP violations land here."""

    errors: list[str] = field(default_factory=list)
    expected: list[tuple[re.Pattern, re.Pattern]] = field(default_factory=list)

    def expect(self, message: str, url: str = ".*") -> None:
        """Tolerate console errors matching `message` (regex) logged by a page at `url`."""
        self.expected.append((re.compile(message), re.compile(url)))

    def on_console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if any(m.search(msg.text) and u.search(where) for m, u in self.expected):
            return
        self.errors.append(f"console error at {where}: {msg.text}")

    def on_pageerror(self, error) -> None:
        self.errors.append(f"uncaught page error: {error}")


@pytest.fixture
def browser_errors():
    errors = BrowserErrors()
    yield errors
    assert errors.errors == [], "the browser reported errors:\n" + "\n".join(errors.errors)


@pytest.fixture
def new_context(browser, live_server, browser_errors):
    """Factory: a fresh browser context (own cookies: one person) watched for errors."""
    contexts = []

    def factory(**options):
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("console", browser_errors.on_console)
        context.on("weberror", lambda web_error: browser_errors.on_pageerror(web_error.error))
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()
