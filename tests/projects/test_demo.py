"""The demo projects load through the services and only once, with documents on their
shelf and a past meeting's minutes."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.db import transaction
from app.demo import load_demo
from app.extensions import db
from app.library import services as library
from app.members.demo import load_demo_members
from app.projects import services
from app.projects.demo import load_demo_projects
from app.projects.models import Meeting, Project


def _day(access) -> str:
    meeting = db.session.scalar(select(Meeting).where(
        Meeting.project_id == access.project.id, Meeting.title == "Réunion de lancement"))
    return meeting.starts_at.astimezone(services.PARIS).strftime("%d/%m/%Y")


def test_demo_projects_are_idempotent(app):
    with transaction():
        load_demo()  # loads the projects too
    with transaction():
        _accounts, _created, people = load_demo_members()
        assert load_demo_projects(people) == 0
    assert db.session.scalar(select(func.count()).select_from(Project)) == 2
    for project in db.session.scalars(select(Project)):
        lead = db.session.get(User, services.lead_ids(project.id)[0])
        access = services.access_project(lead, project.id)
        assert [d.title for d in library.shelf(lead, "project", project.id).documents] == [
            "Compte rendu — Réunion de lancement (" + _day(access) + ")", "Note de cadrage"]
        [past] = services.meetings(lead, access).past
        assert past.minutes is not None and past.minutes.state == "published"
