"""Extension singletons, created unbound here and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter as _Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _FallingBack:
    """The rate-limiting strategy over the main storage (Redis), falling back to the
    in-memory one on a storage error, as Flask-Limiter does for decorated routes."""

    def __init__(self, owner: "Limiter", primary, fallback) -> None:
        self._owner, self._primary, self._fallback = owner, primary, fallback

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            try:
                return getattr(self._primary, name)(*args, **kwargs)
            except Exception:
                self._owner.logger.warning("Rate limit storage unreachable - falling back "
                                           "to in-memory storage")
                self._owner._storage_dead = True  # Flask-Limiter checks when it recovers
                return getattr(self._fallback, name)(*args, **kwargs)
        return call


class Limiter(_Limiter):
    """Flask-Limiter with its in-memory fallback (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED)
    also for the limits services count themselves through `limiter.limiter` (chat and
    co-development messages): a Redis outage does not make them fail."""

    @property
    def limiter(self):
        strategy = super().limiter
        fallback = self._fallback_limiter
        if fallback is None or strategy is fallback:
            return strategy
        return _FallingBack(self, strategy, fallback)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
mail = Mail()
socketio = SocketIO()
