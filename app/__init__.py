"""Application factory: binds extensions, registers blueprints, CLI and Socket.IO handlers."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS

from . import assets, cli, observability, realtime, sanitize, web
from . import models as models  # registers every table on the metadata
from .chat import events as chat_events  # noqa: F401  (Socket.IO handlers, before init_app)
from .codev import events as codev_events  # noqa: F401  (Socket.IO handlers, before init_app)
from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate, socketio
from .projects import events as project_events  # noqa: F401  (Socket.IO handlers, before init_app)
from .walls import events as wall_events  # noqa: F401  (Socket.IO handlers, before init_app)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    name = config_name or os.environ.get("FLASK_CONFIG", "development")
    config = CONFIGS[name]
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=str(STATIC),
                instance_path=str(TEMPLATES.parent / "instance"))
    app.config.from_object(config)
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_size": app.config["DATABASE_POOL_SIZE"],
            "max_overflow": app.config["DATABASE_MAX_OVERFLOW"]}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        options["connect_args"] = {"connect_timeout": app.config["DATABASE_CONNECT_TIMEOUT"],
                                   **options.get("connect_args", {})}
    config.init_app(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    mail.init_app(app)
    socketio.init_app(app, async_mode=app.config["SOCKETIO_ASYNC_MODE"],
                      message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
                      channel=app.config["SOCKETIO_CHANNEL"],
                      manage_session=False)
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    observability.init_app(app)  # request ids, logs, error reporting (first hooks)
    web.init_app(app)
    assets.init_app(app)  # fingerprinted static URLs (app/assets.py)
    sanitize.register(app)
    realtime.register_handlers(app)
    cli.register(app)
    _register_blueprints(app)
    return app


def normalize_database_url(url: str) -> str:
    """Hosting providers hand out postgres:// URLs; we speak to PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _register_blueprints(app: Flask) -> None:
    from .accounts.admin_views import bp as admin_bp
    from .accounts.views import bp as accounts_bp
    from .agenda.views import bp as agenda_bp
    from .chat.views import bp as chat_bp
    from .codev.views import bp as codev_bp
    from .core.views import bp as core_bp
    from .library.views import bp as library_bp
    from .members.views import bp as members_bp
    from .moderation.views import bp as moderation_bp
    from .notifications.views import bp as notifications_bp
    from .projects.views import bp as projects_bp
    from .walls.views import bp as walls_bp

    for blueprint in (core_bp, accounts_bp, admin_bp, members_bp, notifications_bp,
                      moderation_bp, walls_bp, chat_bp, library_bp, projects_bp, codev_bp,
                      agenda_bp):
        app.register_blueprint(blueprint)


def _select_locale() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return request.cookies.get("locale", "fr") if request else "fr"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers go on while one writer writes; SQLite checks foreign keys only if asked."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()

