"""After the session: the anonymised record goes to the library's moderation, the action
plan becomes actions of a project the client leads."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.codev import services
from app.db import transaction
from app.errors import Invalid, PermissionDenied
from app.extensions import db
from app.library.models import Document
from app.projects import services as projects
from app.projects.models import ProjectAction
from tests.codev.conftest import drive, post, schedule, to_phase


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
