"""Co-development fixtures: a facilitator, a client, three consultants, an outsider, a
scheduled session, a frozen clock and sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.codev import clock, services
from app.db import transaction
from tests.chat.conftest import ack, socket_for  # noqa: F401  (shared Socket.IO helpers)
from tests.factories import make_user

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class FrozenClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def app_overrides(tmp_path):
    return {"CODEV_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def frozen(monkeypatch):
    frozen_clock = FrozenClock(START)
    monkeypatch.setattr(clock, "now", frozen_clock)
    return frozen_clock


@pytest.fixture
def people(app):
    return {
        "facilitator": make_user(name="Aïcha Diallo", email="aicha@exemple.fr"),
        "client": make_user(name="Émilie Faure", email="emilie@exemple.fr"),
        "consultants": [make_user(name=n, email=f"{n.split()[0].lower()}@exemple.fr")
                        for n in ("Karim Haddad", "Hélène Garnier", "Thomas Lefèvre")],
        "outsider": make_user(name="Olivier Dehors", email="olivier@exemple.fr"),
    }


def schedule(people, **changes):
    data = services.SessionData(
        subject="Mobiliser les entreprises dans un tiers-lieu rural",
        scheduled_at=START + timedelta(days=2), visio_url="https://visio.exemple.fr/codev",
        client_id=people["client"].id, consultant_ids=[c.id for c in people["consultants"]])
    for key, value in changes.items():
        setattr(data, key, value)
    with transaction():
        return services.check_schedule(people["facilitator"], data)


@pytest.fixture
def session(app, people, frozen):
    return schedule(people)


def drive(people, session, op, **kwargs):
    with transaction():
        if op == "start":
            return services.check_start(people["facilitator"], session.id)
        if op == "next":
            return services.check_next(people["facilitator"], session.id)
        return services.check_extend(people["facilitator"], session.id, kwargs["minutes"])


def to_phase(people, session, index):
    """Start the session and advance to phase `index` (1..6)."""
    drive(people, session, "start")
    for _ in range(index - 1):
        drive(people, session, "next")


def post(user, session, kind, body="Une contribution", source_id=None):
    with transaction():
        return services.check_post(user, session.id, kind, body, source_id)
