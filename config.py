"""Configuration classes, everything read from the environment (see README for the list)."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET = "dev-secret-not-for-production"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'catalyseurs.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Connections per process to a server database (PostgreSQL); SQLite ignores them. With
    # gevent workers many sockets run at once: size the pool to the expected concurrency.
    DATABASE_POOL_SIZE = _env_int("DATABASE_POOL_SIZE", 10)
    DATABASE_MAX_OVERFLOW = _env_int("DATABASE_MAX_OVERFLOW", 20)
    # Seconds to wait for a new PostgreSQL connection: with the server unreachable, pages
    # answer 503 quickly instead of hanging (pool_pre_ping replaces dead connections).
    DATABASE_CONNECT_TIMEOUT = _env_int("DATABASE_CONNECT_TIMEOUT", 2)
    # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto/-Host are
    # trusted, so per-IP rate limits see the member's address rather than the proxy's.
    TRUSTED_PROXY_HOPS = _env_int("TRUSTED_PROXY_HOPS", 0)
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Prefix of this deployment's Redis keys (rate limits, presence), so that two deployments
    # can share one Redis; SOCKETIO_CHANNEL does the same for the Socket.IO message queue.
    REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "catalyseurs")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # `flask backup create` writes its archives here unless given --to.
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(INSTANCE_DIR / "backups"))
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    TAXONOMY_FILE = os.environ.get(
        "TAXONOMY_FILE", str(BASE_DIR.parent / "shared" / "taxonomy.json")
    )

    # Error reporting (app/observability.py): a Sentry or self-hosted GlitchTip DSN; unset,
    # nothing is sent. Logs: `text` (Flask's lines) or `json` (one line per request too).
    SENTRY_DSN = os.environ.get("SENTRY_DSN") or None
    SENTRY_ENVIRONMENT = (os.environ.get("SENTRY_ENVIRONMENT")
                          or os.environ.get("FLASK_CONFIG", "development"))
    SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0)
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # Mail: printed to the console unless an SMTP server is configured.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Réseau des catalyseurs <ne-pas-repondre@catalyseurs.local>"
    )
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if MAIL_SERVER else "console")
    # Seconds any SMTP exchange may take: a hung mail server fails the job (retried later)
    # instead of holding a worker.
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)

    # Background jobs (app/jobs.py): an RQ queue in REDIS_URL run by `flask jobs worker`;
    # without REDIS_URL a thread pool of the web process (not durable across restarts).
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "catalyseurs")
    JOBS_SYNC = _env_bool("JOBS_SYNC", False)
    JOBS_TIMEOUT = _env_int("JOBS_TIMEOUT", 600)
    JOBS_RETRY_INTERVALS = (10, 60, 300, 900, 3600)
    JOBS_STUCK_MINUTES = _env_int("JOBS_STUCK_MINUTES", 30)

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None

    # Internationalisation: French first, times shown in Paris time.
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    # Rate limits (Flask-Limiter); storage follows REDIS_URL.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis unreachable: count in this process's memory rather than fail every limited
    # request (login included); Flask-Limiter goes back to Redis once it answers.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_KEY_PREFIX = REDIS_KEY_PREFIX
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per minute;20 per hour")

    PASSWORD_HASH_METHOD = "scrypt"

    # Tokens and uploads.
    INVITATION_DAYS = _env_int("INVITATION_DAYS", 14)
    RESET_TOKEN_HOURS = _env_int("RESET_TOKEN_HOURS", 2)
    AVATAR_MAX_BYTES = _env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024)
    ATTACHMENT_MAX_BYTES = _env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    # Document library: largest file (keep MAX_CONTENT_LENGTH above it).
    LIBRARY_MAX_BYTES = _env_int("LIBRARY_MAX_BYTES", 50 * 1024 * 1024)
    POST_RATE_LIMIT = os.environ.get("POST_RATE_LIMIT", "6 per minute;60 per hour")
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 60 * 1024 * 1024)

    # Chat: longest message (characters) and messages per member (Flask-Limiter syntax,
    # counted in the limiter's storage: memory, or Redis with REDIS_URL).
    CHAT_MESSAGE_MAX = _env_int("CHAT_MESSAGE_MAX", 4000)
    CHAT_RATE_LIMIT = os.environ.get("CHAT_RATE_LIMIT", "30 per minute")
    # Co-development: contributions per member (same syntax and storage as CHAT_RATE_LIMIT);
    # agenda: how many hours before an event `flask agenda reminders` reminds its attendees.
    CODEV_RATE_LIMIT = os.environ.get("CODEV_RATE_LIMIT", "30 per minute")
    AGENDA_REMINDER_HOURS = _env_int("AGENDA_REMINDER_HOURS", 24)

    SOCKETIO_MESSAGE_QUEUE = REDIS_URL
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "flask-socketio")
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    DIRECTORY_PAGE_SIZE = 24

    @classmethod
    def init_app(cls, app) -> None:
        """Hook for per-environment checks at start-up."""


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = None
    SOCKETIO_MESSAGE_QUEUE = None
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "locmem"
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SERVER_NAME = "localhost"
    BASE_URL = "http://localhost"
    # Jobs run right after the commit in the calling thread: the in-memory database is one
    # connection that a background thread must not share, and tests read the mail outbox at
    # once. tests/test_jobs.py and tests/library/test_extract_background.py run the
    # background paths (over a database file).
    JOBS_SYNC = True
    JOBS_QUEUE = "catalyseurs-test"
    # Tests report nothing and log as by default, whatever the shell exports; a test that
    # needs either sets it in its overrides.
    SENTRY_DSN = None
    LOG_FORMAT = "text"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def init_app(cls, app) -> None:
        secret = app.config.get("SECRET_KEY") or ""
        if secret in ("", DEV_SECRET) or len(secret) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
