"""Activities and the feed, follows, notifications and preferences, at the service level."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, select

from app.accounts.models import User
from app.db import transaction, utcnow
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.notifications import services
from app.notifications.models import Activity, Notification, NotificationPreference, Subscription
from tests.notifications.conftest import follow, notify, record, set_prefs


def ids(page) -> list[int]:
    return [item.id for item in page.items]


# Recording ----------------------------------------------------------------------------------

def test_record_activity_keeps_a_clean_snapshot(people):
    activity = record("post.created", people.sophie, "post", 7, context_type="wall",
                      context_id=1, data={"title": "  Un   titre\n", "excerpt": "x" * 1000,
                                          "url": "/murs/messages/7", "context_name": "Mur",
                                          "kind": "question"})
    assert activity.id and activity.actor_id == people.sophie.id
    assert activity.data["title"] == "Un titre"
    assert len(activity.data["excerpt"]) <= services.EXCERPT_MAX
    assert activity.data["excerpt"].endswith("…")
    assert activity.data["kind"] == "question"  # extra keys are kept
    assert activity.broadcast is False and activity.hidden_at is None


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example", "javascript:alert(1)",
                                 "murs/1", "/\\evil.example"])
def test_record_activity_refuses_links_off_site(people, url):
    with pytest.raises(ValueError), transaction():
        services.do_record_activity("post.created", people.sophie, "post", 1,
                                    data={"title": "t", "url": url})
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def test_record_activity_refuses_half_a_context(people):
    with pytest.raises(ValueError):
        services.do_record_activity("post.created", None, "post", 1, context_type="wall")


# Feed audience ---------------------------------------------------------------------------------

def test_feed_audience_rules(people):
    sophie, paul, lea = people.sophie, people.paul, people.lea
    follow(lea, "wall", 1)
    follow(lea, "post", 50)
    in_followed_wall = record("post.created", paul, "post", 10, context_type="wall", context_id=1)
    record("post.created", paul, "post", 11, context_type="wall", context_id=2)  # not followed
    on_followed_post = record("comment.created", paul, "post", 50, context_type="wall",
                              context_id=2)
    answer_to_lea = record("answer.created", paul, "post", 60, context_type="wall",
                           context_id=3, target_user_id=lea.id)
    record("answer.created", paul, "post", 61, context_type="wall", context_id=3,
           target_user_id=sophie.id)  # someone else's question, unfollowed wall
    announcement = record("announcement", sophie, "post", 70, context_type="wall",
                          context_id=9, broadcast=True)
    in_project = record("project.news", paul, "project_news", 80, context_type="project",
                        context_id=4)
    record("post.created", lea, "post", 12, context_type="wall", context_id=1)  # her own

    page = services.feed(lea, extra_contexts=[("project", 4)])
    assert ids(page) == [in_project.id, announcement.id, answer_to_lea.id, on_followed_post.id,
                         in_followed_wall.id]
    assert page.next_cursor is None
    # Without the extra context, the project item is not hers to see.
    assert in_project.id not in ids(services.feed(lea))
    # Paul sees only the announcement: everything else is his own or elsewhere.
    assert ids(services.feed(paul)) == [announcement.id]
    # Sophie sees the answer to her question and not her own announcement.
    assert [a.verb for a in services.feed(sophie).items] == ["answer.created"]


def test_mentions_reach_only_the_member_mentioned(people):
    follow(people.lea, "wall", 1)
    follow(people.sophie, "wall", 1)
    mention = record("mention", people.paul, "post", 10, context_type="wall", context_id=1,
                     target_user_id=people.sophie.id)
    assert ids(services.feed(people.sophie)) == [mention.id]
    assert ids(services.feed(people.lea)) == []


def test_feed_eager_loads_actors(people):
    follow(people.lea, "wall", 1)
    record("post.created", people.paul, "post", 10, context_type="wall", context_id=1)
    record("announcement", None, "post", 11, broadcast=True)
    lea_id = people.lea.id
    db.session.expunge_all()
    lea = db.session.get(User, lea_id)
    items = services.feed(lea).items
    # lazy="raise" everywhere: reading the actor and their profile must not query.
    assert items[0].actor is None
    assert items[1].actor.display_name == "Paul Lefèvre"
    assert items[1].actor.profile.avatar_key is None


def test_feed_is_for_active_members(people):
    with pytest.raises(PermissionDenied):
        services.feed(people.herve)


# Hiding ----------------------------------------------------------------------------------------

def test_hidden_object_leaves_feed_and_notifications_and_comes_back(people):
    lea, paul = people.lea, people.paul
    follow(lea, "wall", 1)
    post = record("post.created", paul, "post", 10, context_type="wall", context_id=1)
    other = record("post.created", paul, "post", 11, context_type="wall", context_id=1)
    reply = notify(lea, "reply", paul, "post", 10)
    notify(lea, "reply", paul, "post", 11)
    assert services.unread_count(lea) == 2

    with transaction():
        services.do_set_object_hidden("post", 10, True)
    assert ids(services.feed(lea)) == [other.id]
    assert reply.id not in ids(services.notifications_page(lea))
    assert services.unread_count(lea) == 1
    # Nothing destroyed.
    assert db.session.get(Activity, post.id).hidden_at is not None
    assert db.session.get(Notification, reply.id).hidden_at is not None

    with transaction():
        services.do_set_object_hidden("post", 10, False)
    assert ids(services.feed(lea)) == [other.id, post.id]
    assert reply.id in ids(services.notifications_page(lea))
    assert services.unread_count(lea) == 2


def test_activities_in_a_hidden_context_vanish_with_it(people):
    lea, paul, sophie = people.lea, people.paul, people.sophie
    follow(lea, "post", 10)
    post = record("post.created", paul, "post", 10, context_type="wall", context_id=1)
    comment = record("comment.created", sophie, "comment", 5, context_type="post", context_id=10)
    assert ids(services.feed(lea)) == [comment.id, post.id]
    with transaction():
        services.do_set_object_hidden("post", 10, True)
    assert ids(services.feed(lea)) == []
    with transaction():
        services.do_set_object_hidden("post", 10, False)
    assert ids(services.feed(lea)) == [comment.id, post.id]


def test_hiding_keeps_the_moderation_notice_to_the_author(people, moderator):
    lea = people.lea
    notice = notify(lea, "moderation", moderator, "post", 10, text="Votre message a été masqué")
    with transaction():
        services.do_set_object_hidden("post", 10, True)
    assert ids(services.notifications_page(lea)) == [notice.id]


def test_hiding_twice_keeps_the_first_time(people):
    activity = record("post.created", people.paul, "post", 10)
    with transaction():
        services.do_set_object_hidden("post", 10, True)
    first = db.session.get(Activity, activity.id).hidden_at
    with transaction():
        services.do_set_object_hidden("post", 10, True)
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).hidden_at == first


# Editing and moving ---------------------------------------------------------------------------

def test_update_object_data_refreshes_snapshot_context_and_links(people):
    lea, paul = people.lea, people.paul
    activity = record("post.created", paul, "post", 10, context_type="wall", context_id=1,
                      data={"title": "Avant", "excerpt": "ancien", "url": "/murs/messages/10",
                            "context_name": "Mur A", "kind": "discussion"})
    untouched = record("post.created", paul, "post", 11, context_type="wall", context_id=1)
    notification = notify(lea, "reply", paul, "post", 10, url="/murs/messages/10")
    with transaction():
        services.do_update_object_data("post", 10, title="Après", context_name="Mur B",
                                       context_id=2, url="/murs/messages/10?v=2")
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.data == {"title": "Après", "excerpt": "ancien",
                             "url": "/murs/messages/10?v=2", "context_name": "Mur B",
                             "kind": "discussion"}
    assert activity.context_id == 2 and activity.context_type == "wall"
    assert db.session.get(Notification, notification.id).url == "/murs/messages/10?v=2"
    assert db.session.get(Activity, untouched.id).data["title"] == "post.created post 11"
    with pytest.raises(ValueError):
        services.do_update_object_data("post", 10, url="https://evil.example")


# Keyset pagination and "new since" -------------------------------------------------------------

def test_feed_keyset_pages_cover_everything_once(people):
    made = [record("announcement", people.paul, "post", n, broadcast=True).id
            for n in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        page = services.feed(people.lea, before_id=cursor, limit=3)
        seen += ids(page)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(made, reverse=True)


@pytest.mark.parametrize("cursor", [0, -5, 2**40])
def test_feed_ignores_impossible_cursors(people, cursor):
    record("announcement", people.paul, "post", 1, broadcast=True)
    assert len(services.feed(people.lea, before_id=cursor).items) == 1


def test_new_since_is_the_previous_visit(people):
    lea = people.lea
    old = record("announcement", people.paul, "post", 1, broadcast=True)
    page = services.feed(lea)
    assert page.new_since is None and page.new_count == 0  # first visit: nothing flagged
    with transaction():
        services.do_mark_feed_seen(lea)
    seen_at = lea.feed_seen_at
    assert seen_at is not None and utcnow() - seen_at < timedelta(seconds=5)
    with transaction():
        fresh = services.do_record_activity("announcement", people.paul, "post", 2,
                                            broadcast=True, data={"title": "Neuf"})
        fresh.created_at = seen_at + timedelta(seconds=1)
    page = services.feed(lea)
    assert page.new_since == seen_at
    assert [page.is_new(item) for item in page.items] == [True, False]
    assert page.items[1].id == old.id and page.new_count == 1


# Follows ---------------------------------------------------------------------------------------

def test_follow_is_idempotent(people):
    lea = people.lea
    assert follow(lea, "wall", 3) is True
    assert follow(lea, "wall", 3) is False
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1
    assert services.is_following(lea, "wall", 3)
    assert not services.is_following(lea, "wall", 4)
    follow(lea, "wall", 4)
    follow(lea, "post", 3)
    follow(people.paul, "wall", 3)
    assert services.followed_ids(lea, "wall") == {3, 4}
    assert services.follower_ids("wall", 3) == sorted([lea.id, people.paul.id])
    with transaction():
        services.do_unfollow(lea, "wall", 3)
        services.do_unfollow(lea, "wall", 3)  # twice: no error
    assert services.followed_ids(lea, "wall") == {4}
    assert services.follower_ids("wall", 3) == [people.paul.id]


def test_follow_race_is_absorbed_by_a_savepoint(people, monkeypatch):
    """Another request inserted the row between our check and our insert."""
    lea = people.lea
    follow(lea, "wall", 3)
    monkeypatch.setattr(services.follows, "is_following", lambda *args: False)
    with transaction():
        assert services.do_follow(lea, "wall", 3) is False
        services.do_follow(lea, "wall", 5)  # the transaction goes on after the conflict
    monkeypatch.undo()
    assert services.followed_ids(lea, "wall") == {3, 5}


# Notifications and preferences -----------------------------------------------------------------

def test_default_preferences():
    assert services.DEFAULT_DELIVERY == {"mention": "email", "reply": "inapp",
                                         "reaction": "inapp", "accepted_answer": "email",
                                         "moderation": "email", "project": "inapp",
                                         "event": "email"}


def test_preferences_are_validated_and_saved(people):
    lea = people.lea
    assert services.preferences(lea) == services.DEFAULT_DELIVERY
    set_prefs(lea, reply="digest", mention="off")
    assert services.preferences(lea) == {**services.DEFAULT_DELIVERY, "reply": "digest",
                                         "mention": "off"}
    set_prefs(lea, reply="email")
    assert services.preferences(lea)["reply"] == "email"
    for bad in ({"reply": "pigeon"}, {"telepathy": "inapp"}, {"reply": "inapp", "x": "off"}):
        with pytest.raises(Invalid), transaction():
            services.check_set_preferences(lea, bad)
    db.session.expire_all()
    assert services.preferences(lea)["reply"] == "email"
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 2


def test_notification_off_stores_nothing(people, outbox):
    set_prefs(people.lea, reaction="off")
    assert notify(people.lea, "reaction", people.paul) is None
    assert services.unread_count(people.lea) == 0 and outbox == []


@pytest.mark.parametrize("delivery", ["inapp", "digest"])
def test_inapp_and_digest_store_without_immediate_email(people, outbox, delivery):
    set_prefs(people.lea, reaction=delivery)
    notification = notify(people.lea, "reaction", people.paul, text="Paul a réagi")
    assert notification.id and notification.emailed_at is None
    assert notification.text == "Paul a réagi" and notification.actor_id == people.paul.id
    assert services.unread_count(people.lea) == 1
    assert outbox == []


def test_email_preference_sends_one_mail_after_commit(people, outbox):
    lea = people.lea
    with transaction():
        notification = services.do_notify(lea.id, "mention", people.paul, "post", 4,
                                          text="Paul Lefèvre vous a mentionné·e dans « Mobilité »",
                                          url="/murs/messages/4#commentaire-2")
        assert outbox == []  # not before the commit
    assert notification.emailed_at is not None
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["lea@exemple.fr"]
    assert message.subject == "Vous avez été mentionné·e"
    assert "Paul Lefèvre vous a mentionné·e dans « Mobilité »" in message.body
    assert "http://localhost/murs/messages/4#commentaire-2" in message.body
    assert "http://localhost/notifications/preferences" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://localhost/murs/messages/4#commentaire-2"' in html
    assert "Léa Fontaine" in html


def test_no_email_when_the_transaction_rolls_back(people, outbox):
    with pytest.raises(RuntimeError), transaction():
        services.do_notify(people.lea.id, "mention", people.paul, "post", 4, text="x",
                           url="/murs/messages/4")
        raise RuntimeError("boom")
    assert outbox == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_failing_mail_server_does_not_break_the_action(people, outbox, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    notification = notify(people.lea, "mention", people.paul)
    assert notification is not None and services.unread_count(people.lea) == 1


def test_nobody_is_notified_of_their_own_action(people, outbox):
    assert notify(people.lea, "mention", people.lea) is None
    assert services.unread_count(people.lea) == 0 and outbox == []


def test_suspended_or_unknown_recipients_get_nothing(people, outbox):
    assert notify(people.herve, "mention", people.paul) is None
    with transaction():
        assert services.do_notify(999_999, "mention", people.paul, "post", 1, text="x",
                                  url="/x") is None
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert outbox == []


def test_notify_refuses_unknown_kinds_and_foreign_links(people):
    with pytest.raises(ValueError):
        services.do_notify(people.lea.id, "gossip", None, "post", 1, text="x", url="/x")
    with pytest.raises(ValueError):
        services.do_notify(people.lea.id, "reply", None, "post", 1, text="x",
                           url="https://evil.example/")


def test_notifications_page_keyset_and_privacy(people):
    lea, paul = people.lea, people.paul
    made = [notify(lea, "reply", paul, object_id=n).id for n in range(5)]
    notify(paul, "reply", lea)
    first = services.notifications_page(lea, limit=3)
    assert ids(first) == made[:1:-1] and first.unread == 5
    second = services.notifications_page(lea, before_id=first.next_cursor, limit=3)
    assert ids(second) == made[1::-1] and second.next_cursor is None


def test_mark_read_only_ones_own(people):
    lea, paul = people.lea, people.paul
    mine = notify(lea, "reply", paul)
    theirs = notify(paul, "reply", lea)
    with pytest.raises(NotFound):
        services.check_mark_read(lea, theirs.id)
    with pytest.raises(NotFound):
        services.check_mark_read(lea, 2**40)
    with transaction():
        services.check_mark_read(lea, mine.id)
    assert mine.read_at is not None
    assert services.unread_count(lea) == 0 and services.unread_count(paul) == 1


def test_mark_all_read_leaves_hidden_ones_and_other_members(people):
    lea, paul = people.lea, people.paul
    for n in range(3):
        notify(lea, "reply", paul, object_id=n)
    hidden = notify(lea, "reply", paul, object_id=99)
    notify(paul, "reply", lea)
    with transaction():
        services.do_set_object_hidden("post", 99, True)
        services.do_mark_all_read(lea)
    assert services.unread_count(lea) == 0
    assert services.unread_count(paul) == 1
    with transaction():
        services.do_set_object_hidden("post", 99, False)
    assert db.session.get(Notification, hidden.id).read_at is None
    assert services.unread_count(lea) == 1
