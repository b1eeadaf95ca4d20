"""A date or a number the form cannot read gets a French message, and the page keeps
what was typed."""

from __future__ import annotations

from app.agenda.models import AgendaEvent
from app.extensions import db
from tests.agenda.test_agenda import create
from tests.conftest import login

ENGLISH = ("Not a valid", "Invalid Choice", "Invalid choice")


def typed(**changes):
    data = {"kind": "webinaire", "title": "Un titre précieux",
            "starts_at": "2030-05-12T10:00", "ends_at": "2030-05-12T11:30",
            "capacity": "40", "description": "Une présentation soignée"}
    data.update(changes)
    return data


def test_a_bad_date_on_the_event_form(app, client, moderator):
    login(client, moderator)
    answer = client.post("/agenda/nouveau", data=typed(starts_at="12 mai vers 10h"))
    assert answer.status_code == 400
    assert "Date et heure non reconnues" in answer.text
    assert not any(word in answer.text for word in ENGLISH)
    assert 'value="12 mai vers 10h"' in answer.text and "Un titre précieux" in answer.text
    assert db.session.query(AgendaEvent).count() == 0


def test_a_bad_number_on_the_event_form(app, client, moderator):
    event = create(moderator)
    login(client, moderator)
    answer = client.post(f"/agenda/{event.id}/modifier", data=typed(capacity="quarante"))
    assert answer.status_code == 400
    assert "La jauge s'écrit en chiffres" in answer.text
    assert not any(word in answer.text for word in ENGLISH)
    assert 'value="quarante"' in answer.text and "Un titre précieux" in answer.text
    db.session.refresh(event)
    assert event.title == "Webinaire : financer un tiers-lieu"


def test_seconds_sent_by_a_browser_are_read(app, client, moderator):
    login(client, moderator)
    answer = client.post("/agenda/nouveau", data=typed(starts_at="2030-05-12T10:00:00"))
    assert answer.status_code == 302
