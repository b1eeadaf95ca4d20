"""Request ids, JSON request logs, the honest 500 page and error reporting (issue 13)."""

from __future__ import annotations

import gzip
import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from flask import g

from app import create_app, observability
from app.extensions import db, socketio
from app.walls import services as wall_services
from tests.conftest import login
from tests.helpers import assert_query_count

HEX_ID = re.compile(r"[0-9a-f]{32}")
SECRET_QUERY = "token=s3cr3t-in-query"
BODY = "Texte privé du message de Sophie"


@pytest.fixture(autouse=True)
def _process_state_restored():
    """Logging and the Sentry client belong to the process: leave them as found."""
    yield
    observability.stop_sentry()
    observability.configure_logging("text", "INFO", logging.getLogger("app"))


@pytest.fixture
def app_overrides(request):
    """The 500 handler runs (no propagation); reporting goes to the fake tracker when a
    test asks for one."""
    overrides = {"PROPAGATE_EXCEPTIONS": False}
    if "fake_sentry" in request.fixturenames:
        overrides |= {"SENTRY_DSN": request.getfixturevalue("fake_sentry").dsn,
                      "SENTRY_ENVIRONMENT": "test-observability"}
    return overrides


def add_failing_route(app):
    """A page that fails after logging (a breadcrumb) and with the member's email in the error."""

    @app.route("/test/panne", methods=["GET", "POST"])
    def failing_page():
        app.logger.warning("about to fail for sophie@exemple.fr")
        raise RuntimeError("cannot notify sophie@exemple.fr")


@pytest.fixture
def failing(app, client, member):
    """A logged-in member's client, the failing page registered before any request."""
    add_failing_route(app)
    login(client, member)
    return client


def request_records(caplog):
    return [r for r in caplog.records if r.name == "catalyseurs.request"]


# Request ids ---------------------------------------------------------------------------------

def test_every_response_carries_a_new_request_id(client):
    first = client.get("/connexion").headers["X-Request-Id"]
    second = client.get("/connexion").headers["X-Request-Id"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second)
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client):
    incoming = "nginx-4f1c.2a_B" + "x" * 49  # 64 characters
    response = client.get("/connexion", headers={"X-Request-Id": incoming})
    assert response.headers["X-Request-Id"] == incoming


@pytest.mark.parametrize("incoming", ["x" * 65, "two words", "id;rm", "<b>", "é", ""])
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/connexion", headers={"X-Request-Id": incoming})
    assert HEX_ID.fullmatch(response.headers["X-Request-Id"])


def test_error_pages_and_redirects_carry_the_id_too(client):
    assert HEX_ID.fullmatch(client.get("/nulle-part").headers["X-Request-Id"])
    assert HEX_ID.fullmatch(client.get("/").headers["X-Request-Id"])  # login redirect


# Logs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("app_overrides", [{"LOG_FORMAT": "json", "TRUSTED_PROXY_HOPS": 1}])
def test_json_format_logs_one_line_per_request(app, client, member, caplog, capsys):
    login(client, member)
    caplog.clear()
    capsys.readouterr()
    response = client.get(f"/annuaire?{SECRET_QUERY}", headers={
        "X-Request-Id": "req-42", "X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 200

    (record,) = request_records(caplog)
    line = json.loads(observability.JsonFormatter().format(record))
    assert set(line) == {"time", "level", "logger", "message", "request_id", "method", "path",
                         "status", "duration_ms", "user_id", "remote_addr"}
    assert line["level"] == "INFO" and line["logger"] == "catalyseurs.request"
    assert line["method"] == "GET" and line["path"] == "/annuaire" and line["status"] == 200
    assert line["request_id"] == "req-42" and line["user_id"] == member.id
    assert line["remote_addr"] == "203.0.113.7"  # as ProxyFix gives it
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    # The root handler writes the same line on stderr, and nothing of the query string.
    written = [json.loads(raw) for raw in capsys.readouterr().err.splitlines()
               if '"catalyseurs.request"' in raw]
    assert [entry["path"] for entry in written] == ["/annuaire"]
    assert "s3cr3t" not in json.dumps(written)


@pytest.mark.parametrize("app_overrides", [{"LOG_FORMAT": "json"}])
def test_json_logs_hide_tokens_in_paths(app, client, caplog):
    client.get("/mot-de-passe/nouveau/AbCdEf-secret-token")
    client.get("/notifications/desabonnement/unsubscribe.secret")
    lines = [observability.JsonFormatter().format(r) for r in request_records(caplog)]
    paths = [json.loads(line)["path"] for line in lines]
    assert paths == ["/mot-de-passe/nouveau/[token]", "/notifications/desabonnement/[token]"]
    assert "secret" not in "".join(lines)
    assert all(json.loads(line)["user_id"] is None for line in lines)


@pytest.mark.parametrize("app_overrides", [{"LOG_FORMAT": "json", "PROPAGATE_EXCEPTIONS": False}])
def test_json_error_records_carry_the_request_id(failing, caplog):
    response = failing.get("/test/panne")
    request_id = response.headers["X-Request-Id"]
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    line = json.loads(observability.JsonFormatter().format(error))
    assert line["request_id"] == request_id and line["level"] == "ERROR"
    assert "RuntimeError: cannot notify" in line["exception"]
    (summary,) = request_records(caplog)
    assert summary.levelname == "WARNING" and summary.status == 500


def test_the_member_id_is_read_without_a_query_after_a_rollback(app, member):
    member_id = member.id
    with app.test_request_context("/"):
        g._login_user = member
        db.session.expire(member)  # as a rolled-back transaction leaves it
        with assert_query_count(0):
            assert observability._user_id() == member_id


def test_text_format_keeps_flask_lines_tagged_with_the_request_id(failing, caplog):
    caplog.clear()
    response = failing.get("/test/panne")
    assert request_records(caplog) == []  # no request lines in text mode
    (error,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    text = observability.TextFormatter().format(error)
    assert f"ERROR in app [{response.headers['X-Request-Id']}]: Exception on /test/panne" in text


def test_bad_log_settings_stop_the_start(tmp_path):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app("testing", {"LOG_FORMAT": "xml", "UPLOAD_DIR": str(tmp_path)})
    with pytest.raises(RuntimeError, match="LOG_LEVEL"):
        create_app("testing", {"LOG_LEVEL": "BAVARD", "UPLOAD_DIR": str(tmp_path)})


def test_socket_event_errors_are_logged_with_the_connect_request_id(app, client, member,
                                                                    caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("wall lookup broke")

    monkeypatch.setattr(wall_services, "access_wall", broken)
    login(client, member)
    socket = socketio.test_client(app, flask_test_client=client,
                                  headers={"X-Request-Id": "socket-connect-7"})
    assert socket.is_connected()
    with pytest.raises(RuntimeError, match="wall lookup broke"):
        socket.emit("wall:join", {"wall_id": 1}, callback=True)
    (record,) = [r for r in caplog.records if r.getMessage() == "socket event wall:join failed"]
    assert record.request_id == "socket-connect-7"
    assert record.exc_info[1].args == ("wall lookup broke",)
    socket.disconnect()


# The 500 page --------------------------------------------------------------------------------

def test_without_dsn_the_500_page_asks_to_quote_the_code(failing):
    response = failing.get("/test/panne", headers={"X-Request-Id": "panne-1"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert ("Une erreur est survenue. Si elle se reproduit, transmettez ce code à "
            "l&#39;équipe d&#39;animation : panne-1.") in page
    assert "informée" not in page
    assert not observability.reporting_enabled()


def test_without_dsn_a_json_caller_gets_the_code_in_the_message(failing):
    response = failing.get("/test/panne", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] in response.get_json()["message"]


class FakeSentry:
    """An HTTP server standing for Sentry/GlitchTip: keeps every envelope posted to it."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[str, bytes]] = []
        received = self.envelopes

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_port}/42"

    def events(self) -> list[dict]:
        events = []
        for _path, body in self.envelopes:
            lines = body.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    events.append(json.loads(payload))
        return events

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_sentry():
    server = FakeSentry()
    yield server
    observability.stop_sentry()
    server.close()


def test_with_dsn_an_error_reaches_the_tracker_without_personal_data(fake_sentry, failing,
                                                                   member):
    client = failing
    session_cookie = client.get_cookie("session").value
    response = client.post(f"/test/panne?{SECRET_QUERY}", data={"body": BODY},
                           headers={"X-Request-Id": "panne-tracee", "Authorization": "Bearer x1"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Une erreur est survenue. L&#39;équipe technique en a été informée." in page
    assert "panne-tracee" in page  # the code is still shown, to quote it
    assert observability.reporting_enabled()

    sentry_sdk.flush(timeout=5)
    assert {path for path, _body in fake_sentry.envelopes} == {"/api/42/envelope/"}
    (event,) = [e for e in fake_sentry.events() if e.get("exception")]
    assert event["tags"]["request_id"] == "panne-tracee"
    assert event["environment"] == "test-observability"
    assert event["user"] == {"id": str(member.id)}
    assert event.get("release", "catalyseurs@").startswith("catalyseurs@")
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "cannot notify [email]"
    assert event["request"]["url"] == "http://localhost/test/panne"
    raw = b"".join(body for _path, body in fake_sentry.envelopes).decode()
    for secret in ("sophie@exemple.fr", session_cookie, "s3cr3t", BODY, "Bearer x1"):
        assert secret not in raw
    breadcrumbs = [c.get("message") for c in event.get("breadcrumbs", {}).get("values", [])]
    assert "about to fail for [email]" in breadcrumbs


def test_sentry_starts_once_per_process_and_stops_without_dsn(fake_sentry, app, tmp_path):
    client = sentry_sdk.get_client()
    assert client.is_active() and client.options["send_default_pii"] is False
    assert client.options["include_local_variables"] is False
    assert client.options["traces_sample_rate"] == 0
    create_app("testing", {"SENTRY_DSN": fake_sentry.dsn, "UPLOAD_DIR": str(tmp_path)})
    assert sentry_sdk.get_client() is client  # a second app does not start another
    create_app("testing", {"UPLOAD_DIR": str(tmp_path)})
    assert not sentry_sdk.get_client().is_active()


def test_tests_report_nothing_whatever_the_shell_exports(monkeypatch, tmp_path, fake_sentry):
    monkeypatch.setenv("SENTRY_DSN", fake_sentry.dsn)
    app = create_app("testing", {"UPLOAD_DIR": str(tmp_path)})
    assert app.config["SENTRY_DSN"] is None
    assert not sentry_sdk.get_client().is_active()


def test_a_malformed_dsn_stops_the_start(tmp_path):
    with pytest.raises(RuntimeError, match="SENTRY_DSN"):
        create_app("testing", {"SENTRY_DSN": "pas-une-adresse", "UPLOAD_DIR": str(tmp_path)})


def test_scrubbing_reaches_nested_keys_and_texts():
    event = {
        "message": "reset for jean.dupont+x@exemple.org, not for catalyseurs@0.1.0",
        "extra": {"form": {"password": "hunter2", "email": "a@b.fr", "note": "ok"}},
        "breadcrumbs": {"values": [{"message": "mail to a@b.fr",
                                    "data": {"csrf_token": "t", "remote_addr": "203.0.113.7"}}]},
        "request": {"headers": {"Cookie": "session=abc", "User-Agent": "Firefox"},
                    "cookies": {"session": "abc"}, "data": {"body": BODY},
                    "query_string": SECRET_QUERY, "url": "http://x/y"},
    }
    scrubbed = observability.scrub_event(event, {})
    assert scrubbed["message"] == "reset for [email], not for catalyseurs@0.1.0"
    assert scrubbed["extra"]["form"] == {"password": "[Filtered]", "email": "[Filtered]",
                                         "note": "ok"}
    assert scrubbed["breadcrumbs"]["values"][0] == {"message": "mail to [email]",
                                                    "data": {"csrf_token": "[Filtered]",
                                                             "remote_addr": "[Filtered]"}}
    assert scrubbed["request"] == {"headers": {"Cookie": "[Filtered]", "User-Agent": "Firefox"},
                                   "url": "http://x/y"}
    assert scrubbed["user"] == {}
