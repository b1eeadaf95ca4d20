"""Project services: creation with its wall and channel, membership rules (a lead always
remains), join requests, actions with owner notifications, meetings in Paris time with an
.ics, project news in members' feeds only, and the events each action publishes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.chat import services as chat
from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import Notification
from app.projects import services
from tests.helpers import assert_query_count, capture_events
from tests.projects.conftest import make_project


def access(user, project):
    return services.access_project(user, project.id)


def test_creation_composes_a_wall_a_channel_and_a_lead(app, lead):
    project = make_project(lead, title="  Épicerie   solidaire ", tags={"sdg": ["17"]},
                           partners=[("Mairie de Redon", "collectivites"), ("", "")])
    assert project.title == "Épicerie solidaire"
    assert project.wall_id and project.channel_id
    assert chat.owned_channel("project", project.id).id == project.channel_id
    assert access(lead, project).is_lead
    assert services.load_details(project).partners[0].name == "Mairie de Redon"
    assert notifications.is_following(lead, "project", project.id)


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "   "}, "title"), ({"title": "x" * 161}, "title"),
    ({"status": "abandonné"}, "status"), ({"visibility": "secret"}, "visibility"),
    ({"tags": {"region": ["XXX"]}}, "region"),
    ({"partners": [("", "entreprises")]}, "partners"),
    ({"partners": [("Acme", "inconnu")]}, "partners"),
])
def test_bad_input_is_refused_with_its_field(app, lead, changes, field):
    data = services.ProjectData(title="Projet", **{k: v for k, v in changes.items()
                                                   if k != "title"})
    if "title" in changes:
        data.title = changes["title"]
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_project(lead, data)
    assert error.value.field == field


def test_a_project_always_keeps_a_lead(app, lead, teammate, open_project):
    with pytest.raises(Invalid), transaction():
        services.check_leave(lead, access(lead, open_project))
    with pytest.raises(Invalid), transaction():
        services.check_set_role(lead, access(lead, open_project), lead.id, "member")
    with transaction():
        services.check_transfer(lead, access(lead, open_project), teammate.id)
    assert access(teammate, open_project).is_lead
    assert not access(lead, open_project).is_lead
    with transaction():
        services.check_leave(lead, access(lead, open_project))
    assert not access(lead, open_project).is_member


def test_members_cannot_manage_members(app, teammate, outsider, open_project):
    with pytest.raises(PermissionDenied), transaction():
        services.check_invite(teammate, access(teammate, open_project), [outsider.id])


def test_join_request_approved_by_a_lead(app, lead, outsider, open_project):
    with transaction():
        services.check_request_join(outsider, access(outsider, open_project), "Bonjour !")
    with pytest.raises(Invalid), transaction():
        services.check_request_join(outsider, access(outsider, open_project))
    [request] = services.join_requests(lead, access(lead, open_project))
    assert services.join_requests(outsider, access(outsider, open_project)) == []
    with capture_events() as events, transaction():
        services.check_decide_request(lead, access(lead, open_project), request.id, True)
    assert access(outsider, open_project).is_member
    assert chat.access_channel(outsider, open_project.channel_id).is_member
    assert {e["event"] for e in events} >= {"project:member", "project:membership",
                                            "chat:membership", "notification"}


def test_private_projects_cannot_be_requested(app, outsider, private_project):
    with pytest.raises(NotFound):
        access(outsider, private_project)


def test_actions_notify_their_owner_and_publish(app, lead, teammate, open_project):
    with capture_events() as events, transaction():
        action = services.check_create_action(
            lead, access(lead, open_project), title="Écrire la convention",
            owner_id=teammate.id, due_on=date(2026, 12, 1))
    assert [e for e in events if e["event"] == "project:action"] == [{
        "event": "project:action", "room": f"project:{open_project.id}",
        "payload": {"type": "action", "op": "add", "project_id": open_project.id,
                    "action_id": action.id}}]
    [note] = db.session.scalars(select(Notification).where(
        Notification.user_id == teammate.id, Notification.object_type == "project_action"))
    assert note.kind == "project" and "Écrire la convention" in note.text
    with capture_events(1), transaction():
        services.check_set_action_status(teammate, access(teammate, open_project), action.id,
                                         "done")
    assert services.actions(access(lead, open_project),
                            services.ActionFilters(status="done"))[0].id == action.id
    assert services.actions(access(lead, open_project),
                            services.ActionFilters(status="todo")) == []


def test_action_owner_must_be_a_member(app, lead, outsider, open_project):
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_action(lead, access(lead, open_project), title="X",
                                     owner_id=outsider.id)
    assert error.value.field == "owner_id"


def test_meeting_in_paris_time_with_ics_and_rsvp(app, lead, teammate, open_project):
    data = services.MeetingData(title="Comité", starts_local=datetime(2030, 7, 2, 14, 30),
                                duration_minutes=90, visio_url="https://visio.exemple.fr/c",
                                agenda="1. Budget\n2. Calendrier")
    with transaction():
        meeting = services.check_create_meeting(lead, access(lead, open_project), data)
    assert meeting.starts_at.hour == 12  # 14:30 in Paris in summer is 12:30 UTC
    target = services.access_meeting(teammate, access(teammate, open_project), meeting.id)
    with transaction():
        services.check_rsvp(teammate, target, "yes")
    with pytest.raises(Invalid), transaction():
        services.check_rsvp(teammate, target, "jamais")
    [view] = services.meetings(teammate, access(teammate, open_project)).upcoming
    assert view.mine == "yes" and view.answers["yes"] == ["Hélène Garnier"]
    event = Calendar.from_ical(services.meeting_ics(target)).walk("VEVENT")[0]
    assert str(event["dtstart"].dt.tzinfo) == "Europe/Paris"
    assert event["dtstart"].dt.hour == 14 and event["dtstart"].dt.minute == 30
    assert event["location"] == "https://visio.exemple.fr/c"
    with pytest.raises(PermissionDenied), transaction():
        services.check_update_meeting(teammate, target, data)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "visio", "ftp://x.fr/a"])
def test_meeting_link_must_be_a_web_address(app, lead, open_project, url):
    data = services.MeetingData(title="C", starts_local=datetime(2026, 7, 2, 14), visio_url=url)
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_meeting(lead, access(lead, open_project), data)
    assert error.value.field == "visio_url"


def test_project_news_reach_members_only(app, lead, teammate, outsider, open_project):
    with transaction():
        services.check_update_project(lead, access(lead, open_project), services.ProjectData(
            title=open_project.title, status="active", visibility="open"))
    verbs = [a.verb for a in notifications.feed(teammate).items]
    assert "project.status" in verbs
    assert "project.status" not in [a.verb for a in notifications.feed(outsider).items]


def test_directory_filters_and_accent_insensitive_search(app, lead, outsider, open_project,
                                                         private_project):
    def titles(actor, **filters):
        page = services.directory(actor, services.DirectoryFilters(**filters))
        return [c.project.title for c in page.cards]

    assert titles(outsider) == ["Tiers-lieu de Brocéliande"]
    assert titles(lead) == ["Comité secret", "Tiers-lieu de Brocéliande"]
    assert titles(outsider, q="broceliande") == ["Tiers-lieu de Brocéliande"]
    assert titles(outsider, q="BROCÉLIANDE tiers") == ["Tiers-lieu de Brocéliande"]
    assert titles(outsider, region="BRE", domain="emploi") == ["Tiers-lieu de Brocéliande"]
    assert titles(outsider, region="OCC") == []
    assert titles(lead, mine=True) == ["Comité secret", "Tiers-lieu de Brocéliande"]
    assert titles(outsider, q="100%_") == []


@pytest.mark.parametrize("size", [2, 12])
def test_directory_costs_constant_queries(app, lead, size):
    for n in range(size):
        make_project(lead, title=f"Projet {n}", tags={"domain": ["emploi"]})
    assert lead.is_active  # loaded: the logged-in member costs nothing in a request
    with assert_query_count(3):
        services.directory(lead, services.DirectoryFilters())


def test_cover_is_reencoded(app, lead):
    import io

    from PIL import Image

    raw = io.BytesIO()
    Image.new("RGB", (3000, 1000), "teal").save(raw, "PNG")
    content, suffix = services.decode_cover(raw.getvalue())
    image = Image.open(io.BytesIO(content))
    assert suffix == ".jpg" and image.format == "JPEG" and image.width == 1600
    with pytest.raises(Invalid):
        services.decode_cover(b"%PDF-1.4 not an image")
