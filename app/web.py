"""Cross-cutting HTTP behaviour: the login gate, session checks, security headers, errors."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .accounts.models import User
from .accounts.services import do_touch_last_seen, last_seen_due
from .client_strings import client_strings
from .db import DATABASE_UNAVAILABLE, transaction, utcnow
from .errors import Invalid, NotFound, PermissionDenied, RateLimited
from .extensions import db, login_manager
from .observability import server_error_message
from .permissions import can

# Endpoints an anonymous visitor may reach; everything else redirects to the login page.
PUBLIC_ENDPOINTS = frozenset({
    "static",
    "core.healthz",
    "accounts.login",
    "accounts.accept_invitation",
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.confirm_email",
    "accounts.set_language",
    "notifications.unsubscribe",
    "agenda.feed",
})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def wants_json() -> bool:
    """The page's script asked for JSON (an upload with a progress bar); a browser without
    JavaScript gets the HTML page."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) \
        == "application/json"


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à la plateforme.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    app.context_processor(lambda: {"can": can, "now": utcnow, "get_locale": get_locale,
                                   "client_strings": client_strings,
                                   "realtime_degraded": realtime_degraded})
    app.before_request(_reject_control_characters)
    app.before_request(_login_gate)
    app.after_request(_security_headers)
    app.register_error_handler(PermissionDenied, lambda e: _error_page(403, e))
    app.register_error_handler(NotFound, lambda e: _error_page(404, e))
    app.register_error_handler(Invalid, lambda e: _error_page(400, e))
    app.register_error_handler(RateLimited, lambda e: _error_page(429, e))
    app.register_error_handler(CSRFError, lambda e: _error_page(400, e))
    app.register_error_handler(HTTPException, _http_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, database_unavailable)


def load_user(user_id: str) -> User | None:
    """Session ids are "<id>:<session token>": a rotated token or a suspension ends the session."""
    raw_id, _, token = (user_id or "").partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


def _reject_control_characters():
    """A NUL byte in a field is never legitimate text; PostgreSQL would refuse to store it."""
    for values in (request.args, request.form):
        if any("\x00" in value for _key, value in values.items(multi=True)):
            raise Invalid(_l("Le texte envoyé contient un caractère non autorisé."))
    return None


def _login_gate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.endpoint is None:
            return None
        return login_manager.unauthorized()
    if request.method == "GET" and last_seen_due(current_user):
        with transaction():
            do_touch_last_seen(current_user)
    return None


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    try:
        private = bool(current_user and current_user.is_authenticated)
    except DATABASE_UNAVAILABLE:  # the session could not be checked: keep it out of caches
        forget_database_state()
        private = True
    if private:
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


# Database outage -------------------------------------------------------------------------

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = _l("La plateforme est momentanément indisponible, réessayez dans un "
                         "instant.")


def forget_database_state() -> None:
    """After a connection-level error: drop the session's failed transaction (its connection
    is invalidated; the pool's pre-ping replaces it once the server is back) and answer the
    rest of the request as an anonymous visitor, so that rendering the error page does not
    try to load the member from the database again."""
    with contextlib.suppress(DATABASE_UNAVAILABLE):
        db.session.rollback()
    g._login_user = login_manager.anonymous_user()


def database_unavailable(error: Exception):
    """The database cannot be reached: 503 with Retry-After, a French page or JSON."""
    current_app.logger.error("database unavailable: %s", error)
    forget_database_state()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json():
        return jsonify({"ok": False, "error": "unavailable",
                        "message": str(UNAVAILABLE_MESSAGE)}), 503, headers
    return render_template("errors/503.html", message=UNAVAILABLE_MESSAGE), 503, headers


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or best == "application/json"


MESSAGES = {
    400: _l("La demande n'a pas pu être traitée."),
    403: _l("Vous n'avez pas accès à cette page."),
    404: _l("Cette page n'existe pas ou n'est pas accessible."),
    405: _l("Cette action n'est pas permise ici."),
    413: _l("Le fichier envoyé est trop volumineux."),
    429: _l("Trop de tentatives. Merci de patienter un instant avant de réessayer."),
}


def _error_page(status: int, error: Exception | None = None):
    # A 500 says the team was told only when reporting is on (SENTRY_DSN), and shows the
    # request id a member can quote (app/observability.py).
    message = server_error_message() if status == 500 else MESSAGES.get(status, MESSAGES[400])
    if isinstance(error, CSRFError):
        message = _l("Le formulaire a expiré ou n'est pas valide. Rechargez la page et "
                     "réessayez.")
    elif isinstance(error, Invalid) and error.message:
        message = error.message
    if _wants_json():
        return jsonify({"ok": False, "error": getattr(error, "code", "error"),
                        "message": str(message)}), status
    template = "errors/500.html" if status == 500 else "errors/error.html"
    return render_template(template, status=status, message=message), status


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return _error_page(error.code, error)


def member_rate_key() -> str:
    """Flood control counts per member, whatever their address (the address when logged out)."""
    user_id = getattr(current_user, "id", None)
    return f"member:{user_id}" if user_id else get_remote_address()


# Redis outage ----------------------------------------------------------------------------

def redis_status() -> str | None:
    """"ok" or "unavailable" for the Redis of REDIS_URL (Socket.IO message queue, presence,
    rate limits, jobs), None when none is configured. A ping with a short timeout."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("web.redis_ping")
    if client is None:
        import redis

        client = current_app.extensions.setdefault("web.redis_ping", redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=0.5))
    try:
        client.ping()
    except Exception:  # refused, timed out, wrong password: unusable all the same
        return "unavailable"
    return "ok"


def realtime_degraded() -> bool:
    """Live delivery between server processes goes through Redis: without it, a member sees
    only what happens on their own process until they reload (templates/chat/channel.html)."""
    return redis_status() == "unavailable"
