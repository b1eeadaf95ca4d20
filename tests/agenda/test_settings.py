"""AGENDA_REMINDER_HOURS (config.py) decides how early reminders go out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.agenda import services
from app.db import transaction, utcnow
from tests.agenda.test_agenda import create, rsvp
from tests.factories import make_user


@pytest.fixture
def app_overrides(tmp_path):
    return {"AGENDA_REMINDER_HOURS": 3}


def test_reminders_follow_the_setting(app, moderator):
    assert app.config["AGENDA_REMINDER_HOURS"] == 3
    within = create(moderator, starts_at=utcnow() + timedelta(hours=2),
                    ends_at=utcnow() + timedelta(hours=3))
    beyond = create(moderator, starts_at=utcnow() + timedelta(hours=5),
                    ends_at=utcnow() + timedelta(hours=6))
    member = make_user()
    rsvp(member, within)
    rsvp(member, beyond)
    with transaction():
        assert services.do_send_reminders() == 1
    assert services.access_event(member, within.id).rsvp.reminded_at is not None
    assert services.access_event(member, beyond.id).rsvp.reminded_at is None
