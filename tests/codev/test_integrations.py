"""After the session: the anonymised record goes to the library's moderation (naming
nobody), the action plan becomes actions of a project the client leads (each item once)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.codev import record, services
from app.codev.models import CodevRecord, CodevSession
from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.library import services as library
from app.library.models import Document
from app.notifications.models import Activity, Notification
from app.projects import services as projects
from app.projects.models import ProjectAction
from tests.codev.conftest import drive, post, schedule, to_phase
from tests.conftest import login
from tests.factories import make_user


def _ended(people, session):
    to_phase(people, session, 3)
    post(people["client"], session, "request", "Comment associer Karim Haddad ?")
    drive(people, session, "next")
    drive(people, session, "next")
    post(people["client"], session, "action", "Appeler la CCI")
    post(people["client"], session, "action", "Réunir trois dirigeants en mai")
    drive(people, session, "next")
    drive(people, session, "next")


def test_the_client_proposes_the_anonymised_record_to_the_library(session, people):
    _ended(people, session)
    with pytest.raises(PermissionDenied), transaction():
        services.check_publish_record(people["consultants"][0], session.id)
    with transaction():
        row = services.check_publish_record(people["client"], session.id)
    document = db.session.scalar(select(Document))
    assert row.published_ref == f"library:{document.id}"
    assert document.state == "pending"  # the library's moderation decides
    with pytest.raises(Invalid), transaction():
        services.check_publish_record(people["client"], session.id)


def test_strict_confidentiality_keeps_the_record_in_the_group(app, people, frozen):
    strict = schedule(people, confidentiality="strict")
    _ended(people, strict)
    with pytest.raises(PermissionDenied), transaction():
        services.check_publish_record(people["client"], strict.id)


def test_the_action_plan_becomes_project_actions(session, people):
    client = people["client"]
    with transaction():
        project = projects.check_create_project(client, projects.ProjectData(
            title="Tiers-lieu des Deux Rives", pitch="Un lieu pour entreprendre ensemble",
            description="Un tiers-lieu rural."))
    _ended(people, session)
    with transaction():
        assert services.check_export_actions(client, session.id, project.id) == 2
    titles = db.session.scalars(select(ProjectAction.title).order_by(ProjectAction.id)).all()
    assert titles == ["Appeler la CCI", "Réunir trois dirigeants en mai"]
    assert [p.id for p in services.led_projects(client)] == [project.id]
    with pytest.raises(PermissionDenied), transaction():
        services.check_export_actions(people["consultants"][0], session.id, project.id)


def _published(people, session, moderator):
    """End the session, have the client publish, a library moderator approve it."""
    _ended(people, session)
    with transaction():
        row = services.check_publish_record(people["client"], session.id)
    document = db.session.get(Document, int(row.published_ref.split(":")[1]))
    with transaction():
        library.check_approve(moderator, document)
    return document


def test_the_published_record_names_nobody(app, people, frozen, moderator, member):
    named = schedule(people, subject="Émilie Faure veut relancer le tiers-lieu")
    document = _published(people, named, moderator)
    client = people["client"]
    assert document.anonymous is True and document.submitted_by_id == client.id
    assert document.title == "Codéveloppement : le ou la client·e veut relancer le tiers-lieu"
    # The feed announces it with no actor.
    activity = db.session.scalar(select(Activity).where(
        Activity.verb == "document.published", Activity.object_id == document.id))
    assert activity.actor_id is None
    # Readers see no submitter; the submitter is still told and still finds it.
    reader = app.test_client()
    login(reader, member)
    page = reader.get(f"/bibliotheque/documents/{document.id}")
    assert page.status_code == 200
    assert "Proposé par" not in page.text and "Émilie" not in page.text
    assert f"/membres/{client.id}" not in page.text
    told = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == client.id, Notification.object_type == "document")).all()
    assert "moderation" in told
    assert document.id in [d.id for d in library.my_submissions(client)]


def test_other_library_documents_still_name_their_submitter(app, people, frozen, moderator,
                                                            member):
    with transaction():
        document = library.do_submit_generated(
            moderator, "notes.md", b"# Notes\n\nDes notes.", library.DocumentData(
                title="Des notes", year=2026, document_type="compte-rendu"))
    assert document.anonymous is False and document.state == "published"
    activity = db.session.scalar(select(Activity).where(
        Activity.verb == "document.published", Activity.object_id == document.id))
    assert activity.actor_id == moderator.id
    reader = app.test_client()
    login(reader, member)
    assert "Proposé par" in reader.get(f"/bibliotheque/documents/{document.id}").text


def test_the_anonymiser_replaces_first_and_last_names_alone(session, people):
    to_phase(people, session, 3)
    post(people["client"], session, "request",
         "Comment aider émilie ? Karim l'a dit, HADDAD aussi ; Karimova et Thomassin non.")
    for _ in range(4):
        drive(people, session, "next")
    body = db.session.get(CodevRecord, session.id).anonymised_body
    for name in ("émilie", "Karim ", "HADDAD", "Émilie", "Faure"):
        assert name not in body
    assert "Comment aider le ou la client·e ? consultant·e 2 l'a dit, consultant·e 2 aussi" \
        in body
    assert "Karimova et Thomassin non." in body  # whole words only


def test_a_first_name_two_participants_share_stays_anonymous(app, people, frozen):
    twin = make_user(name="Karim Benslimane", email="karim.b@exemple.fr")
    shared = schedule(people, consultant_ids=[*(c.id for c in people["consultants"]),
                                              twin.id])
    participants = services.participants(shared)
    scrub = record.scrubber(participants)
    assert scrub("Karim a parlé à Benslimane.") == \
        "un·e participant·e a parlé à consultant·e 2."  # sorted by name


def _project(client):
    with transaction():
        return projects.check_create_project(client, projects.ProjectData(
            title="Tiers-lieu des Deux Rives", pitch="Un lieu pour entreprendre ensemble",
            description="Un tiers-lieu rural."))


def test_exporting_twice_creates_each_action_once(session, people):
    client = people["client"]
    project = _project(client)
    _ended(people, session)
    with transaction():
        assert services.check_export_actions(client, session.id, project.id) == 2
    with transaction():
        assert services.check_export_actions(client, session.id, project.id) == 0
    assert db.session.scalar(select(func.count()).select_from(ProjectAction)) == 2
    linked = {i.exported_action_id for i in services.action_items(session)}
    assert linked == set(db.session.scalars(select(ProjectAction.id)))


def test_the_client_picks_which_items_become_actions(app, session, people):
    client = people["client"]
    project = _project(client)
    _ended(people, session)
    first, second = services.action_items(session)
    browser = app.test_client()
    login(browser, client)
    page = browser.get(f"/codeveloppement/{session.id}/compte-rendu")
    assert page.text.count('name="items"') == 2 and page.text.count(" checked") == 2
    url = f"/codeveloppement/{session.id}/compte-rendu/actions"
    assert browser.post(url, data={"project_id": project.id,
                                   "items": [second.id]}).status_code == 302
    assert db.session.scalars(select(ProjectAction.title)).all() == \
        ["Réunir trois dirigeants en mai"]
    page = browser.get(f"/codeveloppement/{session.id}/compte-rendu")
    assert "déjà ajoutée à un projet" in page.text
    browser.post(url, data={"project_id": project.id, "items": [first.id, second.id]})
    assert sorted(db.session.scalars(select(ProjectAction.title)).all()) == \
        ["Appeler la CCI", "Réunir trois dirigeants en mai"]
    assert "Cochez au moins une action" in browser.post(
        url, data={"project_id": project.id}, follow_redirects=True).text
    with pytest.raises(NotFound), transaction():
        services.check_export_actions(client, session.id, project.id, [999999])


def test_start_needs_three_consultants_still_taking_part(session, people):
    with transaction():
        services.check_decline(people["consultants"][0], session.id)
    with pytest.raises(Invalid) as error, transaction():
        services.check_start(people["facilitator"], session.id)
    assert "au moins 3 consultant·es" in error.value.message
    assert "il en reste 2" in error.value.message
    assert db.session.get(CodevSession, session.id).status == "scheduled"
