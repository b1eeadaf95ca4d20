"""Observability: a request id on every request, JSON logs, and error reporting.

An administrator must be able to go from what a member saw to what happened: the request id
is shown on the 500 page, returned as `X-Request-Id`, written on every log record made during
the request (and during the Socket.IO events of a connection: they run in the environ of the
connect request) and tagged on the error event sent to Sentry or a self-hosted GlitchTip.

Error reporting is off unless SENTRY_DSN is set. The network is private and its members'
data falls under the RGPD: events never carry cookies, authorization headers, passwords,
tokens, query strings, request bodies, local variables or email addresses (see scrub_event).

Logging and the Sentry client are process-wide while a Flask app is not: both are configured
idempotently, the last app created deciding (one per process in production; tests create many).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
import warnings
from datetime import UTC, datetime
from importlib import metadata
from urllib.parse import urlsplit

import sentry_sdk
from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler, has_level_handler
from flask_babel import gettext as _
from sentry_sdk.integrations.flask import FlaskIntegration
from sqlalchemy import inspect as sa_inspect

from .extensions import socketio

REQUEST_ID_HEADER = "X-Request-Id"
LOG_FORMATS = ("text", "json")
_REQUEST_ID_KEY = "catalyseurs.request_id"
_START_KEY = "catalyseurs.request_start"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Keys whose values never leave for the error tracker, wherever they appear in an event.
_SENSITIVE_KEY = re.compile(
    r"passw|secret|token|cookie|authori[sz]ation|csrf|session|e-?mail|^body$|api[-_]?key"
    r"|remote_addr|forwarded-for|real-ip",
    re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}\b")
FILTERED = "[Filtered]"

request_log = logging.getLogger("catalyseurs.request")

_sentry_dsn: str | None = None  # the DSN this process reports to, once initialised


def init_app(app: Flask) -> None:
    fmt = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if fmt not in LOG_FORMATS:
        raise RuntimeError(f"LOG_FORMAT={fmt!r}: use 'text' or 'json'")
    app.config["LOG_FORMAT"] = fmt
    configure_logging(fmt, app.config.get("LOG_LEVEL") or "INFO", app.logger)
    init_sentry(app)
    # First before, last after: the duration covers the other hooks, the status is final.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish_request)
    app.context_processor(lambda: {"request_id": request_id(),
                                   "error_reporting": reporting_enabled()})
    socketio.on_error_default(_socket_error)


# Request ids ---------------------------------------------------------------------------------

def request_id() -> str | None:
    """The id of the current request: the caller's `X-Request-Id` when it is a sane token
    (nginx's $request_id, another service's id), else a new one. Kept in the WSGI environ,
    so a Socket.IO connection's events share the id of their connect request."""
    if not has_request_context():
        return None
    environ = request.environ
    value = environ.get(_REQUEST_ID_KEY)
    if value is None:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        value = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        environ[_REQUEST_ID_KEY] = value
    return value


def loggable_path() -> str:
    """The request's path without its query string, secret URL parts (invitation, password
    reset, unsubscribe, calendar feed tokens) replaced by `[token]`."""
    path = request.path
    for key, value in (request.view_args or {}).items():
        if _SENSITIVE_KEY.search(key) and isinstance(value, str) and value:
            path = path.replace(value, "[token]")
    return path


def _start_request() -> None:
    request.environ[_START_KEY] = time.perf_counter()
    request_id()


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    if current_app.config["LOG_FORMAT"] == "json":
        _log_request(response.status_code)
    return response


def _log_request(status: int) -> None:
    started = request.environ.get(_START_KEY)
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    path = loggable_path()
    request_log.log(
        logging.WARNING if status >= 500 else logging.INFO, "%s %s %s", request.method, path,
        status, extra={"method": request.method, "path": path, "status": status,
                       "duration_ms": duration, "user_id": _user_id(),
                       "remote_addr": request.remote_addr})


def _user_id() -> int | None:
    """The logged-in member's id, if Flask-Login loaded one (never a query of its own: the
    database may be what failed)."""
    user = g.get("_login_user")
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    # The identity map's key, not `user.id`: after a rollback the instance is expired and
    # reading an attribute would query the database again.
    return state.identity[0] if state is not None and state.identity else None


def _socket_error(error: Exception):
    """Flask-SocketIO calls this inside the event's request context: log the failure with
    the connection's request id, then let it go on as before (no ack: the client retries)."""
    event = getattr(request, "event", None) or {}
    current_app.logger.error("socket event %s failed", event.get("message"), exc_info=error)
    raise error


# Logs ----------------------------------------------------------------------------------------

_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message", "asctime", "request_id", "request_tag"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; fields given with `extra=` become keys of their own."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Flask's default format, with the request id after the module when there is one."""

    def __init__(self) -> None:
        super().__init__("[%(asctime)s] %(levelname)s in %(module)s%(request_tag)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.request_tag = f" [{rid}]" if rid else ""
        return super().format(record)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when the record comes (as logging.lastResort does)."""

    def __init__(self) -> None:
        super().__init__()
        self._catalyseurs = True

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _install_record_factory() -> None:
    """Every record made while a request (or a socket event) is handled carries its
    `request_id`, whichever logger made it and whichever handler writes it (a filter on
    one handler would miss the others: pytest's, Sentry's, a library's own)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_catalyseurs", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id()
        return record

    factory._catalyseurs = True
    logging.setLogRecordFactory(factory)


def configure_logging(fmt: str, level: str | int, app_logger: logging.Logger) -> None:
    """LOG_LEVEL is the level of the application's loggers ("app", "catalyseurs.*").
    `json`: one JSON handler on the root logger (every logger's records that pass, the request
    lines of "catalyseurs.request" included), Flask's text handler removed. `text`: Flask's
    handler on the app logger as before, its lines tagged with the request id; no request
    lines."""
    level = _level(level)
    _install_record_factory()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_catalyseurs", False)]:
        root.removeHandler(handler)
    app_logger.setLevel(level)
    logging.getLogger("catalyseurs").setLevel(level)
    if fmt == "json":
        handler = _StderrHandler()
        handler.setFormatter(JsonFormatter())
        handler.setLevel(level)
        root.addHandler(handler)  # the root's level stays: libraries' INFO lines (a server's
        # access log with query strings) remain as silent as before
        app_logger.removeHandler(default_handler)
        return
    default_handler.setFormatter(TextFormatter())
    if not has_level_handler(app_logger):
        app_logger.addHandler(default_handler)


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).strip().upper())
    if not isinstance(value, int):
        raise RuntimeError(f"LOG_LEVEL={level!r}: use DEBUG, INFO, WARNING or ERROR")
    return value


# Error reporting -----------------------------------------------------------------------------

def init_sentry(app: Flask) -> None:
    """Start the Sentry client once per process (again only if the DSN changes: tests);
    an app without a DSN stops one a previous app of the same process started."""
    global _sentry_dsn
    dsn = app.config.get("SENTRY_DSN") or None
    if dsn == _sentry_dsn:
        return
    stop_sentry()
    if not dsn:
        return
    options = {
        "dsn": dsn,
        "environment": app.config.get("SENTRY_ENVIRONMENT") or None,
        "release": _release(),
        "integrations": [FlaskIntegration()],
        "traces_sample_rate": float(app.config.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
        # Private network: no request bodies (messages, posts), no local variables (they
        # hold emails and texts), no IP addresses or user details from the integrations.
        "max_request_body_size": "never",
        "include_local_variables": False,
        "before_send": scrub_event,
        "before_send_transaction": scrub_event,
    }
    with warnings.catch_warnings():
        # sentry-sdk >= 2.76 deprecates the option in favour of `data_collection` (absent
        # before): False is its default everywhere, said here so that no reader has to know.
        warnings.filterwarnings("ignore", "The send_default_pii option", DeprecationWarning)
        try:
            sentry_sdk.init(send_default_pii=False, **options)
        except Exception as error:  # sentry_sdk.utils.BadDsn and the like
            raise RuntimeError(f"SENTRY_DSN is not a valid DSN: {error}") from error
    _sentry_dsn = dsn


def stop_sentry() -> None:
    """Flush and close this process's Sentry client, if any."""
    global _sentry_dsn
    if _sentry_dsn is None:
        return
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.get_global_scope().set_client(None)
    _sentry_dsn = None


def reporting_enabled() -> bool:
    """Whether a server error of this app reaches someone (the 500 page says so only then)."""
    return bool(current_app.config.get("SENTRY_DSN")) and sentry_sdk.get_client().is_active()


def server_error_message():
    if reporting_enabled():
        return _("Une erreur est survenue. L'équipe technique en a été informée.")
    return _("Une erreur est survenue. Si elle se reproduit, transmettez ce code à l'équipe "
             "d'animation : %(request_id)s.", request_id=request_id() or "-")


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """before_send: tag the request id and member id, drop what the RGPD keeps at home."""
    rid = request_id()
    if rid:
        event.setdefault("tags", {})["request_id"] = rid
    user = event.get("user") or {}
    user_id = (_user_id() if has_request_context() else None) or user.get("id")
    event["user"] = {"id": str(user_id)} if user_id else {}
    details = event.get("request")
    if isinstance(details, dict):
        for key in ("cookies", "data", "query_string", "env"):
            details.pop(key, None)
        if details.get("url") and has_request_context():
            details["url"] = urlsplit(details["url"])._replace(
                path=loggable_path(), query="", fragment="").geturl()
    return _scrub(event)


def _scrub(value):
    if isinstance(value, dict):
        return {key: FILTERED if isinstance(key, str) and _SENSITIVE_KEY.search(key)
                and value[key] not in (None, "", {}, []) else _scrub(value[key])
                for key in value}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return _EMAIL.sub("[email]", value)
    return value


def _release() -> str | None:
    try:
        return f"catalyseurs@{metadata.version('catalyseurs')}"
    except metadata.PackageNotFoundError:
        return None
