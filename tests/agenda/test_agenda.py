"""The agenda: events, RSVP with capacity and waiting list, reminders, .ics and the
private feed token; events owned by co-development sessions stay private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.agenda import services
from app.agenda.models import AgendaEvent, AgendaFeedToken, AgendaRsvp
from app.db import transaction, utcnow
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import assert_query_count


def event_data(**changes):
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    data = services.EventData(kind="webinaire", title="Webinaire : financer un tiers-lieu",
                              starts_at=start, ends_at=start + timedelta(hours=1),
                              description="Avec **France Tiers-Lieux**.",
                              visio_url="https://visio.exemple.fr/webinaire")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def create(actor, **changes):
    with transaction():
        return services.check_create_event(actor, event_data(**changes))


def rsvp(user, event, answer="going"):
    with transaction():
        return services.check_rsvp(user, event.id, answer).state


def test_only_animators_announce_events(app, member, moderator):
    with pytest.raises(PermissionDenied), transaction():
        services.check_create_event(member, event_data())
    event = create(moderator)
    assert event.visibility == "network" and event.organizer_id == moderator.id


@pytest.mark.parametrize("changes, field", [
    ({"title": " "}, "title"),
    ({"kind": "codev"}, "kind"),
    ({"visio_url": "javascript:alert(1)"}, "visio_url"),
    ({"capacity": 0}, "capacity"),
])
def test_bad_events_are_refused_with_a_field(app, moderator, changes, field):
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_event(moderator, event_data(**changes))
    assert error.value.field == field


def test_ends_must_follow_starts(app, moderator):
    data = event_data()
    data.ends_at = data.starts_at
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_event(moderator, data)
    assert error.value.field == "ends_at"


def test_capacity_puts_latecomers_on_a_waiting_list_served_in_order(app, moderator):
    event = create(moderator, capacity=2)
    a, b, c, d = (make_user() for _ in range(4))
    assert [rsvp(u, event) for u in (a, b, c, d)] == ["going", "going", "waiting", "waiting"]
    assert rsvp(c, event) == "waiting"  # asking again keeps one's place
    assert rsvp(a, event, "declined") == "declined"
    assert services.access_event(c, event.id).rsvp.state == "going"
    assert services.access_event(d, event.id).rsvp.state == "waiting"
    told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "event")).all()
    assert told == [c.id]


def test_raising_the_capacity_promotes_the_waiting_list(app, moderator):
    event = create(moderator, capacity=1)
    a, b = make_user(), make_user()
    rsvp(a, event)
    assert rsvp(b, event) == "waiting"
    with transaction():
        services.check_update_event(moderator, event.id, event_data(capacity=2))
    assert services.access_event(b, event.id).rsvp.state == "going"
    with pytest.raises(Invalid), transaction():
        services.check_update_event(moderator, event.id, event_data(capacity=1))


def test_reminders_are_sent_once_and_respect_preferences(app, moderator, outbox):
    soon = create(moderator, starts_at=utcnow() + timedelta(hours=5),
                  ends_at=utcnow() + timedelta(hours=6))
    later = create(moderator)
    a, b = make_user(), make_user()
    for user in (a, b):
        rsvp(user, soon)
        rsvp(user, later)
    with transaction():
        assert services.do_send_reminders() == 2
    with transaction():
        assert services.do_send_reminders() == 0
    reminders = db.session.scalars(select(Notification).where(
        Notification.text.like("Rappel%"))).all()
    assert {n.user_id for n in reminders} == {a.id, b.id}
    assert len(outbox) == 2  # "event" goes by email unless the member chose otherwise


def test_reminders_cli_is_idempotent(app, moderator):
    soon = create(moderator, starts_at=utcnow() + timedelta(hours=2),
                  ends_at=utcnow() + timedelta(hours=3))
    rsvp(make_user(), soon)
    runner = app.test_cli_runner()
    assert "1 rappels envoyés" in runner.invoke(args=["agenda", "reminders"]).output
    assert "0 rappels envoyés" in runner.invoke(args=["agenda", "reminders"]).output


def test_cancelled_events_refuse_answers_and_tell_attendees(app, moderator, member):
    event = create(moderator)
    rsvp(member, event)
    with transaction():
        services.check_cancel_event(moderator, event.id)
    assert db.session.scalar(select(Notification.text).where(
        Notification.user_id == member.id)).endswith("est annulé.")
    with pytest.raises(PermissionDenied), transaction():
        services.check_rsvp(member, event.id, "going")


def test_ics_of_one_event(app, client, moderator, member):
    event = create(moderator)
    login(client, member)
    answer = client.get(f"/agenda/{event.id}.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    [entry] = Calendar.from_ical(answer.data).walk("VEVENT")
    assert str(entry["summary"]) == "Webinaire : financer un tiers-lieu"
    assert entry["dtstart"].dt == event.starts_at
    assert str(entry["uid"]).startswith(f"agenda-{event.id}@")
    assert "visio.exemple.fr" in str(entry["description"])


def test_feed_token_is_hashed_revocable_and_lists_my_events(app, client, moderator, member):
    mine, other = create(moderator, title="Le mien"), create(moderator, title="Pas le mien")
    rsvp(member, mine)
    with transaction():
        token = services.check_new_feed_token(member)
    stored = db.session.get(AgendaFeedToken, member.id)
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    anonymous = app.test_client()
    answer = anonymous.get(f"/agenda/flux/{token}.ics")
    assert answer.status_code == 200
    titles = [str(e["summary"]) for e in Calendar.from_ical(answer.data).walk("VEVENT")]
    assert titles == ["Le mien"] and other.title not in answer.text
    with transaction():
        new_token = services.check_new_feed_token(member)
    assert anonymous.get(f"/agenda/flux/{token}.ics").status_code == 404
    assert anonymous.get(f"/agenda/flux/{new_token}.ics").status_code == 200
    with transaction():
        services.do_revoke_feed_token(member)
    assert anonymous.get(f"/agenda/flux/{new_token}.ics").status_code == 404
    assert anonymous.get("/agenda/flux/nimportequoi.ics").status_code == 404


def test_a_suspended_members_feed_stops(app, member):
    with transaction():
        token = services.check_new_feed_token(member)
        member.status = "suspended"
    assert app.test_client().get(f"/agenda/flux/{token}.ics").status_code == 404


def test_invited_events_are_private(app, moderator, member):
    outsider = make_user()
    with transaction():
        event = services.do_upsert_owned_event(
            "codev", 42, kind="codev", title="Codéveloppement : un sujet confidentiel",
            starts_at=utcnow() + timedelta(days=1), ends_at=utcnow() + timedelta(days=1, hours=2),
            organizer_id=moderator.id)
        services.do_set_invitees(event, [member.id])
    assert services.access_event(member, event.id).event.title.startswith("Codév")
    with pytest.raises(NotFound):
        services.access_event(outsider, event.id)
    page = services.events_page(outsider)
    assert event.id not in [i.event.id for i in page.items]
    client = app.test_client()
    login(client, outsider)
    assert client.get(f"/agenda/{event.id}").status_code == 404
    assert client.get(f"/agenda/{event.id}.ics").status_code == 404
    assert "confidentiel" not in client.get("/agenda/").text
    with pytest.raises(PermissionDenied), transaction():
        services.check_rsvp(member, event.id, "declined")  # managed by the session


def test_list_filters_and_keyset_pages_in_constant_queries(app, moderator, member):
    base = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    for n in range(5):
        create(moderator, title=f"Animation {n}", kind="animation",
               starts_at=base + timedelta(days=n), ends_at=base + timedelta(days=n, hours=1))
    create(moderator, title="La Rencontre", kind="rencontre",
           starts_at=base + timedelta(days=10), ends_at=base + timedelta(days=11))
    db.session.refresh(member)
    with assert_query_count(3):
        first = services.events_page(member, limit=4)
    assert [i.event.title for i in first.items] == [f"Animation {n}" for n in range(4)]
    second = services.events_page(member, limit=4, cursor=first.next_cursor)
    assert [i.event.title for i in second.items] == ["Animation 4", "La Rencontre"]
    assert second.next_cursor is None
    only = services.events_page(member, kind="rencontre")
    assert [i.event.title for i in only.items] == ["La Rencontre"]
    assert services.events_page(member, mine=True).items == []


def test_pages_work(app, client, moderator, member):
    event = create(moderator, capacity=1)
    login(client, member)
    assert client.get("/agenda/").status_code == 200
    page = client.get(f"/agenda/{event.id}")
    assert page.status_code == 200 and "Je participe" in page.text
    assert client.post(f"/agenda/{event.id}/reponse",
                       data={"reponse": "going"}).status_code == 302
    assert "Inscrit·e" in client.get(f"/agenda/{event.id}").text
    assert client.get("/agenda/nouveau").status_code == 403
    assert client.get("/agenda/flux").status_code == 200
    created = client.post("/agenda/flux")
    assert "/agenda/flux/" in created.text


def test_moving_an_owned_event_reminds_its_invitees_again(app, moderator, member):
    """A project meeting or a co-development session moved to a new date gets a new
    reminder, as a network event does; a change that keeps the date sends none."""
    start = utcnow().replace(microsecond=0) + timedelta(hours=5)

    def upsert(starts_at, title="Réunion de projet : budget"):
        with transaction():
            event = services.do_upsert_owned_event(
                "project_meeting", 7, kind="projet", title=title, starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1), organizer_id=moderator.id)
            services.do_set_invitees(event, [member.id])
        return event

    event = upsert(start)
    with transaction():
        assert services.do_send_reminders() == 1
    upsert(start, title="Réunion de projet : budget 2027")
    with transaction():
        assert services.do_send_reminders() == 0
    upsert(start + timedelta(hours=2))
    assert db.session.scalar(select(AgendaRsvp.reminded_at).where(
        AgendaRsvp.event_id == event.id)) is None
    with transaction():
        assert services.do_send_reminders() == 1


def set_replay(client, event, url):
    return client.post(f"/agenda/{event.id}/replay", data={"replay_url": url})


def test_the_organiser_sets_the_replay_shown_on_the_event_page(app, client, moderator,
                                                              member):
    event = create(moderator)
    login(client, moderator)
    assert set_replay(client, event, "https://video.exemple.fr/replay-42").status_code == 302
    assert db.session.get(AgendaEvent, event.id).replay_url == \
        "https://video.exemple.fr/replay-42"
    reader = app.test_client()
    login(reader, member)
    page = reader.get(f"/agenda/{event.id}")
    assert 'href="https://video.exemple.fr/replay-42"' in page.text
    assert "Voir le replay" in page.text
    assert set_replay(client, event, "").status_code == 302  # an empty field removes it
    assert "Voir le replay" not in reader.get(f"/agenda/{event.id}").text


def test_a_moderator_may_set_the_replay_of_anothers_event(app, moderator):
    organiser = make_user(role="moderator")
    event = create(organiser)
    with transaction():
        services.check_set_replay(moderator, event.id, "http://video.exemple.fr/a")
    assert db.session.get(AgendaEvent, event.id).replay_url == "http://video.exemple.fr/a"


def test_members_cannot_set_a_replay(app, client, moderator, member):
    event = create(moderator)
    with pytest.raises(PermissionDenied), transaction():
        services.check_set_replay(member, event.id, "https://video.exemple.fr/x")
    login(client, member)
    assert set_replay(client, event, "https://video.exemple.fr/x").status_code == 403
    with transaction():
        private = services.do_upsert_owned_event(
            "codev", 43, kind="codev", title="Codéveloppement : privé",
            starts_at=utcnow() + timedelta(days=1),
            ends_at=utcnow() + timedelta(days=1, hours=2), organizer_id=moderator.id)
    assert set_replay(client, private, "https://video.exemple.fr/x").status_code == 404
    assert db.session.get(AgendaEvent, event.id).replay_url == ""


@pytest.mark.parametrize("url", [
    "javascript:alert(1)",
    "ftp://video.exemple.fr/replay",
    "video.exemple.fr/replay",
    "https://",
    "https://video.exemple.fr/" + "a" * services.URL_MAX,
])
def test_bad_replay_links_are_refused(app, client, moderator, url):
    event = create(moderator)
    with pytest.raises(Invalid) as error, transaction():
        services.check_set_replay(moderator, event.id, url)
    assert error.value.field == "replay_url"
    login(client, moderator)
    assert set_replay(client, event, url).status_code == 302  # back with a message
    assert db.session.get(AgendaEvent, event.id).replay_url == ""
