"""Meetings beyond the project page: their entry in the network agenda (members only, kept
in sync on edit, cancellation, membership and title changes), cancellation instead of
deletion, minutes filed on the project's shelf, and the pages of past meetings."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.agenda import services as agenda
from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.library import services as library
from app.notifications.models import Notification
from app.projects import services
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import assert_query_count, capture_events, count_queries
from tests.projects.conftest import checked, make_project


def access(user, project):
    return services.access_project(user, project.id)


def plan(user, project, *, title="Comité de pilotage", days=3, **values):
    data = services.MeetingData(title=title, starts_local=datetime.now() + timedelta(days=days),
                                duration_minutes=values.pop("duration_minutes", 60),
                                visio_url="https://visio.exemple.fr/comite", **values)
    with transaction():
        return services.check_create_meeting(user, access(user, project), data)


def target(user, project, meeting):
    return services.access_meeting(user, access(user, project), meeting.id)


def agenda_titles(user):
    return [item.event.title for item in agenda.events_page(user).items]


def event_of(meeting):
    return agenda.owned_event(services.MEETING_SOURCE, meeting.id)


@pytest.mark.parametrize("visibility", ["open", "private"])
def test_a_meeting_is_in_the_agenda_of_the_members_only(app, lead, teammate, outsider,
                                                        visibility):
    project = make_project(lead, visibility=visibility, title="Épicerie", members=[teammate])
    meeting = plan(lead, project, agenda="1. Budget")
    title = "Comité de pilotage · Épicerie"
    assert agenda_titles(lead) == [title] and agenda_titles(teammate) == [title]
    moderator = make_user(name="Mehdi Benali", role="moderator")
    for stranger in (outsider, moderator):
        assert agenda_titles(stranger) == []
        with pytest.raises(NotFound):
            agenda.access_event(stranger, event_of(meeting).id)
    event = event_of(meeting)
    assert event.kind == "projet" and event.organizer_id is None
    assert f"/projets/{project.id}/reunions#reunion-{meeting.id}" in event.description
    assert "1. Budget" in event.description
    assert event.ends_at - event.starts_at == timedelta(minutes=60)


def test_the_agenda_follows_edits_membership_and_the_projects_title(app, lead, teammate,
                                                                    outsider, private_project):
    meeting = plan(lead, private_project)
    sequence = event_of(meeting).sequence
    data = services.MeetingData(title="Comité élargi", duration_minutes=120,
                                starts_local=datetime(2031, 1, 15, 9, 0))
    with transaction():
        services.check_update_meeting(lead, target(lead, private_project, meeting), data)
    event = event_of(meeting)
    assert event.title == "Comité élargi · Comité secret" and event.sequence > sequence
    assert event.starts_at == services.paris_to_utc(datetime(2031, 1, 15, 9, 0))

    with transaction():
        services.check_invite(lead, access(lead, private_project), [outsider.id])
    assert agenda_titles(outsider) == ["Comité élargi · Comité secret"]
    with transaction():
        services.check_leave(outsider, access(outsider, private_project))
    assert agenda_titles(outsider) == []
    with transaction():
        services.check_remove_member(lead, access(lead, private_project), teammate.id)
    assert agenda_titles(teammate) == []

    edit = services.ProjectData(title="Comité renommé", visibility="private")
    with transaction():
        services.check_update_project(lead, access(lead, private_project), edit)
    assert agenda_titles(lead) == ["Comité élargi · Comité renommé"]


def test_cancelling_keeps_the_meeting_and_tells_everyone(app, lead, teammate, open_project):
    meeting = plan(lead, open_project)
    with pytest.raises(PermissionDenied), transaction():
        services.check_cancel_meeting(teammate, target(teammate, open_project, meeting))
    with capture_events() as events, transaction():
        services.check_cancel_meeting(lead, target(lead, open_project, meeting))
    assert {"type": "meeting", "op": "update", "project_id": open_project.id,
            "meeting_id": meeting.id} in [e["payload"] for e in events]
    assert meeting.is_cancelled
    assert event_of(meeting).is_cancelled
    texts = list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == teammate.id)))
    assert any("a annulé la réunion « Comité de pilotage »" in t for t in texts)
    ics = Calendar.from_ical(services.meeting_ics(target(teammate, open_project, meeting)))
    assert ics.walk("VEVENT")[0]["status"] == "CANCELLED"
    for act in (lambda: services.check_rsvp(teammate, target(teammate, open_project, meeting),
                                            "yes"),
                lambda: services.check_cancel_meeting(lead, target(lead, open_project,
                                                                   meeting))):
        with pytest.raises(Invalid), transaction():
            act()
    [view] = services.meetings(teammate, access(teammate, open_project)).upcoming
    assert view.meeting.is_cancelled


def test_cancel_page_and_badge(app, client, lead, open_project):
    meeting = plan(lead, open_project)
    login(client, lead)
    base = f"/projets/{open_project.id}/reunions"
    assert "Annuler la réunion" in client.get(f"{base}/{meeting.id}/modifier").get_data(
        as_text=True)
    response = client.post(f"{base}/{meeting.id}/annuler")
    assert response.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "Annulée" in page and f"{base}/{meeting.id}/modifier" not in page
    again = client.post(f"{base}/{meeting.id}/annuler", follow_redirects=True)
    assert "Cette réunion est annulée." in again.get_data(as_text=True)


# Minutes -------------------------------------------------------------------------------------

def attach(user, project, meeting, name="compte-rendu.md", title=""):
    with transaction():
        return services.check_attach_minutes(user, target(user, project, meeting),
                                             checked(name), title)


def test_minutes_only_once_the_meeting_has_started(app, lead, open_project):
    meeting = plan(lead, open_project, days=2)
    with pytest.raises(Invalid) as error:
        attach(lead, open_project, meeting)
    assert error.value.field == "file"
    assert meeting.minutes_document_id is None


def test_a_members_minutes_wait_for_a_lead_then_show_on_the_meeting(app, lead, teammate,
                                                                    open_project):
    third = make_user(name="Inès Roux")
    with transaction():
        services.check_invite(lead, access(lead, open_project), [third.id])
    meeting = plan(lead, open_project, days=-1)
    document = attach(teammate, open_project, meeting)
    assert document.state == "pending"
    assert library.access_document(lead, document.id).document_type.code == "compte-rendu"
    assert document.title.startswith("Compte rendu — Comité de pilotage (")
    assert meeting.minutes_document_id == document.id

    def minutes_seen_by(user):
        [view] = services.meetings(user, access(user, open_project)).past
        return view.minutes

    assert minutes_seen_by(teammate).id == document.id  # the submitter
    assert minutes_seen_by(lead).state == "pending"  # the lead, to decide
    assert minutes_seen_by(third) is None  # the others once it is published
    with transaction():
        services.check_decide_document(lead, access(lead, open_project),
                                       library.access_document(lead, document.id), "approve")
    assert minutes_seen_by(third).title == document.title

    # A member cannot replace the minutes; a lead can, with a title of their own.
    with pytest.raises(PermissionDenied):
        attach(third, open_project, meeting, "autre.md")
    replaced = attach(lead, open_project, meeting, "final.md", title="Relevé de décisions")
    assert replaced.state == "published" and replaced.title == "Relevé de décisions"
    assert meeting.minutes_document_id == replaced.id


def test_outsiders_file_no_minutes(app, lead, outsider, open_project):
    meeting = plan(lead, open_project, days=-1)
    with pytest.raises(PermissionDenied):
        attach(outsider, open_project, meeting)


def test_minutes_through_the_page(app, client, lead, teammate, open_project):
    meeting = plan(lead, open_project, days=-1)
    login(client, teammate)
    base = f"/projets/{open_project.id}/reunions"
    page = client.get(base).get_data(as_text=True)
    assert "Déposer le compte rendu" in page and f'name="cr{meeting.id}-file"' in page
    prefix = f"cr{meeting.id}"
    bad = client.post(f"{base}/{meeting.id}/compte-rendu", content_type="multipart/form-data",
                      data={f"{prefix}-title": "Mon relevé",
                            f"{prefix}-file": (io.BytesIO(b""), "vide.md")})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "est vide" in page and 'value="Mon relevé"' in page
    assert '<details class="project-minutes-form" open>' in page
    missing = client.post(f"{base}/{meeting.id}/compte-rendu",
                          content_type="multipart/form-data", data={f"{prefix}-title": ""})
    assert "Choisissez le fichier du compte rendu." in missing.get_data(as_text=True)
    good = client.post(f"{base}/{meeting.id}/compte-rendu", content_type="multipart/form-data",
                       data={f"{prefix}-title": "Mon relevé",
                             f"{prefix}-file": (io.BytesIO("# Relevé".encode()), "releve.md")})
    assert good.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "Mon relevé" in page and "En attente" in page


def test_past_meetings_come_by_pages(app, lead, open_project):
    for n in range(services.PAST_PAGE + 2):
        plan(lead, open_project, title=f"Réunion {n}", days=-(n + 1))
    page = services.meetings(lead, access(lead, open_project))
    assert [v.meeting.title for v in page.past][:2] == ["Réunion 0", "Réunion 1"]
    assert len(page.past) == services.PAST_PAGE and page.next_past == page.past[-1].meeting.id
    older = services.meetings(lead, access(lead, open_project), past_after=page.next_past)
    assert [v.meeting.title for v in older.past] == ["Réunion 10", "Réunion 11"]
    assert older.next_past is None


def test_the_meetings_page_shows_older_meetings_link(app, client, lead, open_project):
    for n in range(services.PAST_PAGE + 1):
        plan(lead, open_project, title=f"Réunion {n}", days=-(n + 1))
    login(client, lead)
    page = client.get(f"/projets/{open_project.id}/reunions").get_data(as_text=True)
    assert "Réunions plus anciennes" in page and "Réunion 10" not in page


def test_the_meetings_page_costs_the_same_whatever_the_number_of_meetings(app, client, lead,
                                                                         teammate,
                                                                         open_project):
    for n in range(2):
        plan(lead, open_project, title=f"À venir {n}", days=n + 1)
        plan(lead, open_project, title=f"Passée {n}", days=-(n + 1))
    login(client, teammate)
    url = f"/projets/{open_project.id}/reunions"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(2, 7):
        plan(lead, open_project, title=f"À venir {n}", days=n + 1)
        plan(lead, open_project, title=f"Passée {n}", days=-(n + 1))
    client.get(url)
    with assert_query_count(few.count):
        assert client.get(url).status_code == 200


def test_minutes_on_the_meetings_page_cost_one_query(app, client, lead, teammate,
                                                     open_project):
    """Each past meeting's minutes come from the library in one batch, not one by one."""
    def past_with_minutes(n):
        meeting = plan(lead, open_project, title=f"Passée {n}", days=-(n + 1))
        attach(lead, open_project, meeting, name=f"cr-{n}.md")

    past_with_minutes(0)
    login(client, teammate)
    url = f"/projets/{open_project.id}/reunions"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(1, 5):
        past_with_minutes(n)
    client.get(url)
    with assert_query_count(few.count):
        page = client.get(url)
    assert page.text.count('class="project-minutes"') == 5


def test_the_overview_shows_the_next_meetings_not_cancelled_and_the_open_actions(
        app, lead, teammate, open_project):
    """A meeting still running counts as coming; one over or cancelled does not."""
    now_in_paris = datetime.now(services.PARIS).replace(tzinfo=None, second=0, microsecond=0)

    def at(title, start, minutes=60):
        with transaction():
            return services.check_create_meeting(lead, access(lead, open_project),
                                                 services.MeetingData(
                                                     title=title, starts_local=start,
                                                     duration_minutes=minutes))

    at("Terminée", now_in_paris - timedelta(hours=3), 60)
    at("En cours", now_in_paris - timedelta(minutes=30), 120)
    cancelled = at("Annulée", now_in_paris + timedelta(days=1))
    with transaction():
        services.check_cancel_meeting(lead, target(lead, open_project, cancelled))
    for n in range(1, 5):
        at(f"Dans {n} jours", now_in_paris + timedelta(days=n, hours=1))
    with transaction():
        for n in range(9):
            services.check_create_action(lead, access(lead, open_project), title=f"Action {n}",
                                         status="done" if n % 3 == 0 else "todo")
    page = services.overview_page(teammate, access(teammate, open_project))
    assert [m.title for m in page.upcoming] == ["En cours", "Dans 1 jours", "Dans 2 jours"]
    assert [a.title for a in page.open_actions] == ["Action 1", "Action 2", "Action 4",
                                                    "Action 5", "Action 7"]
    assert [m.user_id for m in page.members] == [lead.id, teammate.id]
    assert not page.requested


def test_the_meetings_page_says_what_each_member_may_do(app, lead, teammate, open_project):
    coming, past = plan(lead, open_project, days=2), plan(lead, open_project, days=-1)

    def flags(user):
        page = services.meetings(user, access(user, open_project))
        return {v.meeting.id: (v.may_manage, v.may_file_minutes)
                for v in page.upcoming + page.past}

    assert flags(lead) == {coming.id: (True, False), past.id: (True, True)}
    assert flags(teammate) == {coming.id: (False, False), past.id: (False, True)}
