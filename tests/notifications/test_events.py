"""The `notification` events: how many each action sends, to whom, and their exact shape."""

from __future__ import annotations

import pytest

from app.db import transaction
from app.notifications import services
from tests.helpers import capture_events
from tests.notifications.conftest import notify, set_prefs


def test_notify_publishes_add_with_the_unread_count(people):
    lea = people.lea
    with capture_events(1) as events:
        first = notify(lea, "reply", people.paul)
    assert events[0] == {"event": "notification", "room": f"user:{lea.id}",
                         "payload": {"type": "notification", "op": "add", "id": first.id,
                                     "unread": 1}}
    with capture_events(1) as events:
        second = notify(lea, "mention", people.sophie)
    assert events[0]["payload"] == {"type": "notification", "op": "add", "id": second.id,
                                    "unread": 2}


@pytest.mark.parametrize("delivery", ["inapp", "email", "digest"])
def test_every_stored_notification_is_published_once(people, delivery):
    set_prefs(people.lea, reply=delivery)
    with capture_events(1) as events:
        notify(people.lea, "reply", people.paul)
    assert events[0]["payload"]["op"] == "add"


def test_nothing_published_when_nothing_stored(people):
    set_prefs(people.lea, reaction="off")
    with capture_events(0):
        notify(people.lea, "reaction", people.paul)  # switched off
        notify(people.lea, "reply", people.lea)  # her own action
        notify(people.herve, "reply", people.paul)  # suspended


def test_nothing_published_on_rollback(people):
    with capture_events(0), pytest.raises(RuntimeError), transaction():
        services.do_notify(people.lea.id, "reply", people.paul, "post", 1, text="x", url="/x")
        raise RuntimeError("boom")


def test_mark_read_publishes_read_with_the_new_count(people):
    lea = people.lea
    first = notify(lea, "reply", people.paul)
    notify(lea, "reply", people.sophie)
    with capture_events(1) as events, transaction():
        services.check_mark_read(lea, first.id)
    assert events[0] == {"event": "notification", "room": f"user:{lea.id}",
                         "payload": {"type": "notification", "op": "read", "id": first.id,
                                     "unread": 1}}


def test_mark_all_read_publishes_one_read_event(people):
    lea = people.lea
    for _ in range(3):
        notify(lea, "reply", people.paul)
    with capture_events(1) as events, transaction():
        services.do_mark_all_read(lea)
    assert events[0] == {"event": "notification", "room": f"user:{lea.id}",
                         "payload": {"type": "notification", "op": "read", "id": None,
                                     "unread": 0}}


def test_recording_activities_and_following_publish_nothing(people):
    with capture_events(0), transaction():
        services.do_record_activity("announcement", people.paul, "post", 1, broadcast=True,
                                    data={"title": "t"})
        services.do_follow(people.lea, "wall", 1)
        services.do_set_object_hidden("post", 1, True)
