"""The demo data loads (through `flask seed demo`'s load_demo), and loading it again
creates nothing more."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.agenda import services as agenda
from app.agenda.demo import load_demo_agenda
from app.agenda.models import AgendaEvent
from app.codev.demo import load_demo_codev
from app.codev.models import CodevSession
from app.db import transaction
from app.demo import load_demo
from app.extensions import db
from app.members.demo import load_demo_members


def test_demo_sessions_and_events_are_idempotent(app):
    with transaction():
        load_demo()
    sessions = db.session.scalar(select(func.count()).select_from(CodevSession))
    events = db.session.scalar(select(func.count()).select_from(AgendaEvent).where(
        AgendaEvent.source_type.is_(None)))
    assert (sessions, events) == (2, 4)
    with transaction():
        _accounts, _created, people = load_demo_members()
        assert load_demo_codev(people) == 0
        assert load_demo_agenda(people) == 0


def test_the_past_demo_webinar_has_its_replay_and_minutes(app):
    with transaction():
        load_demo()
    event = db.session.scalar(select(AgendaEvent).where(AgendaEvent.replay_url != ""))
    reader = db.session.scalar(select(User).where(User.role == "member").limit(1))
    [minutes] = agenda.event_documents(reader, event)
    assert minutes.link.kind == "minutes" and minutes.published
    assert minutes.document.title.startswith("Compte rendu — Webinaire")
