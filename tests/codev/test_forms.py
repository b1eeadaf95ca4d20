"""Co-development forms: a date or a number they cannot read gets a French message, and
nothing the facilitator typed is lost."""

from __future__ import annotations

from app.codev.models import CodevSession
from app.extensions import db
from tests.codev.test_views import as_user

ENGLISH = ("Not a valid", "Invalid Choice", "Invalid choice")
PHASES = ("expose", "clarification", "contrat", "consultation", "plan-action", "bilan")


def typed(people, **changes):
    data = {"subject": "Un sujet précieux", "scheduled_at": "2026-03-20T14:00",
            "visio_url": "https://visio.exemple.fr/a", "client_id": people["client"].id,
            "consultant_ids": [c.id for c in people["consultants"]],
            "confidentiality": "participants", **{f"duration_{c}": "10" for c in PHASES}}
    data.update(changes)
    return data


def refused(answer, message, value):
    assert answer.status_code == 400
    assert message in answer.text
    assert not any(word in answer.text for word in ENGLISH)
    assert f'value="{value}"' in answer.text


def test_a_bad_date_on_the_schedule_form(app, people, frozen):
    client = as_user(app, people["facilitator"])
    answer = client.post("/codeveloppement/nouvelle",
                         data=typed(people, scheduled_at="vendredi 14h"))
    refused(answer, "Date et heure non reconnues", "vendredi 14h")
    assert "Un sujet précieux" in answer.text
    assert db.session.query(CodevSession).count() == 0


def test_a_bad_number_on_the_schedule_form(app, people, frozen):
    client = as_user(app, people["facilitator"])
    answer = client.post("/codeveloppement/nouvelle",
                         data=typed(people, duration_bilan="un quart d'heure"))
    refused(answer, "Une durée s'écrit en minutes", "un quart d&#39;heure")
    assert "Un sujet précieux" in answer.text


def test_a_tampered_member_choice_on_the_schedule_form(app, people, frozen):
    client = as_user(app, people["facilitator"])
    answer = client.post("/codeveloppement/nouvelle", data=typed(people, client_id="moi"))
    assert answer.status_code == 400 and "Membre inconnu" in answer.text
    assert not any(word in answer.text for word in ENGLISH)


def test_a_bad_number_on_the_durations_form(app, session, people):
    client = as_user(app, people["facilitator"])
    answer = client.post(f"/codeveloppement/{session.id}/durees",
                         data={**{f"duration_{c}": "10" for c in PHASES},
                               "duration_consultation": "20 min"})
    refused(answer, "Une durée s'écrit en minutes", "20 min")
    db.session.refresh(session)
    assert session.durations["consultation"] != 20


def test_an_out_of_range_duration_keeps_the_figures(app, session, people):
    client = as_user(app, people["facilitator"])
    answer = client.post(f"/codeveloppement/{session.id}/durees",
                         data={**{f"duration_{c}": "12" for c in PHASES},
                               "duration_bilan": "500"})
    refused(answer, "Chaque phase dure de 1 à 120 minutes.", "500")
    assert 'value="12"' in answer.text


def test_the_durations_form_is_the_facilitators(app, session, people):
    client = as_user(app, people["consultants"][0])
    answer = client.post(f"/codeveloppement/{session.id}/durees",
                         data={"duration_bilan": "vingt"})
    assert answer.status_code == 403
