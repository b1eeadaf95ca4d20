"""Co-development pages: scheduling, the room, the record; 404 for outsiders everywhere."""

from __future__ import annotations

from app.codev.models import CodevSession
from app.extensions import db
from tests.codev.conftest import drive, post, to_phase
from tests.conftest import login


def as_user(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_schedule_form_keeps_what_was_typed_on_error(app, people, frozen):
    client = as_user(app, people["facilitator"])
    page = client.get("/codeveloppement/nouvelle")
    assert page.status_code == 200 and "Exposé de la problématique" in page.text
    answer = client.post("/codeveloppement/nouvelle", data={
        "subject": "Un sujet précieux", "scheduled_at": "2026-03-20T14:00",
        "visio_url": "ftp://nope", "client_id": people["client"].id,
        "consultant_ids": [c.id for c in people["consultants"]],
        "confidentiality": "participants", "duration_expose": "10"})
    assert answer.status_code == 400
    assert "Un sujet précieux" in answer.text and "https://" in answer.text
    assert db.session.query(CodevSession).count() == 0


def test_schedule_then_the_room(app, people, frozen):
    client = as_user(app, people["facilitator"])
    answer = client.post("/codeveloppement/nouvelle", data={
        "subject": "Financer un tiers-lieu", "scheduled_at": "2026-03-20T14:00",
        "visio_url": "https://visio.exemple.fr/a", "client_id": people["client"].id,
        "consultant_ids": [c.id for c in people["consultants"]],
        "confidentiality": "participants", "open_to_requests": "y",
        **{f"duration_{c}": "5" for c in ("expose", "clarification", "contrat",
                                          "consultation", "plan-action", "bilan")}})
    assert answer.status_code == 302
    session = db.session.query(CodevSession).one()
    assert session.durations["bilan"] == 5
    assert session.scheduled_at.hour == 13  # 14:00 in Paris is 13:00 UTC in March
    room = as_user(app, people["client"]).get(f"/codeveloppement/{session.id}")
    assert room.status_code == 200 and "Financer un tiers-lieu" in room.text
    assert "js/codev." in room.text


def test_outsiders_see_the_card_of_an_open_session_and_nothing_more(app, session, people):
    outsider = as_user(app, people["outsider"])
    card = outsider.get(f"/codeveloppement/{session.id}")
    assert card.status_code == 200 and "Demander à rejoindre" in card.text
    assert "visio.exemple.fr" not in card.text
    assert outsider.post(f"/codeveloppement/{session.id}/demande").status_code == 302
    assert "en attente" in outsider.get(f"/codeveloppement/{session.id}").text
    for url in (f"/codeveloppement/{session.id}/compte-rendu",
                f"/codeveloppement/{session.id}/compte-rendu.md",
                "/codeveloppement/999999"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/codeveloppement/{session.id}/durees").status_code == 404


def test_the_record_page_and_download(app, session, people):
    to_phase(people, session, 3)
    post(people["client"], session, "request", "Comment mobiliser **Karim Haddad** ?")
    for _ in range(4):
        drive(people, session, "next")
    client = as_user(app, people["consultants"][0])
    page = client.get(f"/codeveloppement/{session.id}/compte-rendu")
    assert page.status_code == 200 and "<strong>Karim Haddad</strong>" in page.text
    download = client.get(f"/codeveloppement/{session.id}/compte-rendu.md?version=anonyme")
    assert download.headers["Content-Disposition"].endswith('-anonyme.md"')
    assert "Karim Haddad" not in download.text
    outsider = as_user(app, people["outsider"])
    assert outsider.get(f"/codeveloppement/{session.id}").status_code == 404


def test_index_lists_my_sessions_and_open_ones(app, session, people):
    page = as_user(app, people["client"]).get("/codeveloppement/")
    assert page.status_code == 200 and "Mobiliser les entreprises" in page.text
    page = as_user(app, people["outsider"]).get("/codeveloppement/")
    assert "Sessions ouvertes aux demandes" in page.text
    assert "Mobiliser les entreprises" in page.text
