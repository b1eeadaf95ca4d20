"""Moderators act on content through POST /moderation/<type>/<id>/<action>: the content
changes (through walls' services), the open report is resolved, the log records it and the
author is told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import transaction
from app.extensions import db
from app.moderation.models import ModerationAction, Report
from app.notifications import services as notifications
from app.notifications.models import Notification
from app.walls.models import Comment, Post
from tests.helpers import capture_events
from tests.moderation.conftest import (
    act,
    as_user,
    comment_on,
    count,
    log_rows,
    moderation_notifications,
    open_reports,
    publish,
    report,
)


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _visible_to(client, user, post_id: int, slug: str) -> dict[str, bool]:
    """Where `user` sees the post: wall page, post page, feed, notification centre."""
    as_user(client, user)
    wall_page = client.get(f"/murs/{slug}").get_data(as_text=True)
    post_page = client.get(f"/murs/messages/{post_id}")
    reader = _fresh(type(user), user.id)
    feed = notifications.feed(reader).items
    centre = notifications.notifications_page(reader).items
    return {
        "wall": f'id="message-{post_id}"' in wall_page,
        "post": post_page.status_code == 200,
        "feed": any((a.object_type, a.object_id) == ("post", post_id)
                    or (a.context_type, a.context_id) == ("post", post_id) for a in feed),
        "notifications": any(n.object_type == "post" and n.object_id == post_id
                             and n.kind != "moderation" for n in centre),
    }


@pytest.fixture
def scene(net):
    """A post by Paul on the general wall, followed by Sophie, who commented (Paul got a
    reply notification) and reported it with Léa."""
    with transaction():
        notifications.do_follow(net.reporter, "wall", net.wall.id)
    post = publish(net.author, net.wall, title="Un titre signalé", body="Corps du message")
    comment_on(net.reporter, post, "Ce n'est pas acceptable")
    report(net.reporter, post, "abusive", "Insultant envers les élus")
    report(net.other, post, "spam", "")
    return post


def test_hide_then_unhide_through_the_endpoint(net, client, scene):
    post, slug = scene, net.wall.slug
    assert _visible_to(client, net.author, post.id, slug) == {
        "wall": True, "post": True, "feed": True, "notifications": True}
    assert _visible_to(client, net.reporter, post.id, slug) == {
        "wall": True, "post": True, "feed": True, "notifications": False}

    as_user(client, net.moderator)
    with capture_events() as events:
        response = client.post(f"/moderation/post/{post.id}/hide",
                               data={"reason": "Propos insultants", "next": "/moderation"})
    assert response.status_code == 302 and response.location.endswith("/moderation")
    assert sorted((e["event"], e["room"]) for e in events) == [
        ("notification", f"user:{net.author.id}"), ("wall:post", f"wall:{net.wall.id}")]
    removed = next(e for e in events if e["event"] == "wall:post")
    assert removed["payload"] == {"type": "post", "op": "remove", "wall_id": net.wall.id,
                                  "post_id": post.id}

    post = _fresh(Post, post.id)
    assert post.hidden_at is not None and post.hidden_by_id == net.moderator.id
    assert post.hidden_reason == "Propos insultants"
    row = db.session.scalar(select(Report).where(Report.target_id == post.id))
    assert (row.status, row.resolved_by_id, row.resolution) == (
        "resolved", net.moderator.id, "hide")
    assert row.resolved_at is not None
    [entry] = log_rows(action="post.hide")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.target_user_id,
            entry.reason) == (net.moderator.id, "post", post.id, net.author.id,
                              "Propos insultants")
    [told] = moderation_notifications(net.author)
    assert "Propos insultants" in told.text and told.object_id == post.id

    # Gone for members everywhere, but still in the database.
    assert _visible_to(client, net.reporter, post.id, slug) == {
        "wall": False, "post": False, "feed": False, "notifications": False}
    assert _visible_to(client, net.author, post.id, slug)["notifications"] is False
    assert count(Post) == 1

    as_user(client, net.moderator)
    with capture_events() as events:
        response = client.post(f"/moderation/post/{post.id}/unhide", data={"reason": ""})
    assert response.status_code == 302
    assert {(e["event"], e["payload"].get("op")) for e in events} >= {("wall:post", "add")}
    assert _fresh(Post, post.id).hidden_at is None
    assert _visible_to(client, net.reporter, post.id, slug) == {
        "wall": True, "post": True, "feed": True, "notifications": False}
    assert _visible_to(client, net.author, post.id, slug)["notifications"] is True
    assert [r.action for r in log_rows()][-2:] == ["post.hide", "post.unhide"]
    assert len(moderation_notifications(net.author)) == 2


@pytest.mark.parametrize("action", ["hide", "delete", "move"])
def test_missing_reason_is_400_and_changes_nothing(net, client, scene, action):
    as_user(client, net.moderator)
    before = (count(ModerationAction), count(Notification))
    with capture_events(0):
        response = client.post(f"/moderation/post/{scene.id}/{action}",
                               data={"reason": "  ", "wall_id": str(net.wall2.id)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Le motif est obligatoire." in page
    assert 'name="reason"' in page and 'aria-invalid="true"' in page
    post = _fresh(Post, scene.id)
    assert post.hidden_at is None and post.deleted_at is None and post.wall_id == net.wall.id
    assert (count(ModerationAction), count(Notification)) == before
    assert [r.target_id for r in open_reports()] == [scene.id]


def test_missing_reason_for_a_comment_is_400(net, client, scene):
    comment = comment_on(net.other, scene)
    as_user(client, net.moderator)
    for action in ("hide", "delete"):
        response = client.post(f"/moderation/comment/{comment.id}/{action}", data={})
        assert response.status_code == 400
        assert "Le motif est obligatoire." in response.get_data(as_text=True)
    comment = _fresh(Comment, comment.id)
    assert comment.hidden_at is None and comment.deleted_at is None


def test_delete_and_restore_a_reported_comment(net, client, scene):
    comment = comment_on(net.other, scene, "Commentaire hors charte")
    report(net.reporter, comment, "abusive")
    as_user(client, net.moderator)
    with capture_events() as events:
        assert client.post(f"/moderation/comment/{comment.id}/delete",
                           data={"reason": "Hors charte"}).status_code == 302
    assert ("wall:comment", "remove") in {(e["event"], e["payload"]["op"]) for e in events}
    comment = _fresh(Comment, comment.id)
    assert comment.deleted_at is not None and comment.deleted_reason == "Hors charte"
    assert _fresh(Post, scene.id).comment_count == 1
    assert [r.target_type for r in open_reports()] == ["post"]
    [entry] = log_rows(action="comment.delete")
    assert entry.target_user_id == net.other.id and entry.reason == "Hors charte"
    assert "Hors charte" in moderation_notifications(net.other)[0].text
    as_user(client, net.reporter)
    assert "Commentaire hors charte" not in client.get(
        f"/murs/messages/{scene.id}").get_data(as_text=True)

    as_user(client, net.moderator)
    assert client.post(f"/moderation/comment/{comment.id}/restore",
                       data={}).status_code == 302
    assert _fresh(Comment, comment.id).deleted_at is None
    assert _fresh(Post, scene.id).comment_count == 2
    as_user(client, net.reporter)
    assert "Commentaire hors charte" in client.get(
        f"/murs/messages/{scene.id}").get_data(as_text=True)


def test_delete_and_restore_a_post(net, client, scene):
    act(net.moderator, "post", scene.id, "delete", reason="Doublon")
    post = _fresh(Post, scene.id)
    assert post.deleted_at is not None and post.deleted_by_id == net.moderator.id
    as_user(client, net.reporter)
    assert client.get(f"/murs/messages/{scene.id}").status_code == 404
    act(net.moderator, "post", scene.id, "restore")
    assert _fresh(Post, scene.id).deleted_at is None
    assert client.get(f"/murs/messages/{scene.id}").status_code == 200
    assert [r.action for r in log_rows()][-2:] == ["post.delete", "post.restore"]


def test_lock_unlock_pin_unpin(net, client, scene):
    as_user(client, net.moderator)
    for action in ("lock", "pin"):
        assert client.post(f"/moderation/post/{scene.id}/{action}",
                           data={"reason": ""}).status_code == 302
    post = _fresh(Post, scene.id)
    assert post.comments_locked and post.pinned_at is not None
    as_user(client, net.other)
    response = client.post(f"/murs/messages/{scene.id}/commentaires",
                           data={"body": "Encore un mot"})
    assert response.status_code in (400, 403)
    as_user(client, net.moderator)
    for action in ("unlock", "unpin"):
        assert client.post(f"/moderation/post/{scene.id}/{action}").status_code == 302
    post = _fresh(Post, scene.id)
    assert not post.comments_locked and post.pinned_at is None
    assert [r.action for r in log_rows()] == ["wall.create", "wall.create", "post.lock",
                                               "post.pin", "post.unlock", "post.unpin"]
    # The first action resolved the report; the others found none open.
    row = db.session.scalar(select(Report))
    assert (row.status, row.resolution) == ("resolved", "lock")


def test_move_to_another_wall(net, client, scene):
    as_user(client, net.moderator)
    response = client.post(f"/moderation/post/{scene.id}/move",
                           data={"reason": "Mieux sur le mur emploi", "wall_id": net.wall2.id})
    assert response.status_code == 302
    post = _fresh(Post, scene.id)
    assert post.wall_id == net.wall2.id
    [entry] = log_rows(action="post.move")
    assert entry.data == {"from_wall": net.wall.id, "to_wall": net.wall2.id}
    as_user(client, net.reporter)
    assert f'id="message-{post.id}"' not in client.get(
        f"/murs/{net.wall.slug}").get_data(as_text=True)
    assert f'id="message-{post.id}"' in client.get(
        f"/murs/{net.wall2.slug}").get_data(as_text=True)


def test_move_needs_a_destination(net, client, scene):
    as_user(client, net.moderator)
    response = client.post(f"/moderation/post/{scene.id}/move", data={"reason": "Ailleurs"})
    assert response.status_code == 400
    assert "Choisissez le mur" in response.get_data(as_text=True)
    assert client.post(f"/moderation/post/{scene.id}/move",
                       data={"reason": "Ailleurs", "wall_id": net.wall.id}).status_code == 400
    assert client.post(f"/moderation/post/{scene.id}/move",
                       data={"reason": "Ailleurs", "wall_id": 99999}).status_code == 404
    assert _fresh(Post, scene.id).wall_id == net.wall.id


@pytest.fixture
def pending(net):
    with transaction():
        net.wall2.premoderation = "all"
    post = publish(net.author, net.wall2, title="En attente de validation")
    assert post.state == "pending"
    return post


def test_pending_posts_are_listed_then_approved(net, client, pending):
    as_user(client, net.moderator)
    page = client.get("/moderation?onglet=attente").get_data(as_text=True)
    assert "En attente de validation" in page and f"/moderation/post/{pending.id}/approve" in page
    with capture_events() as events:
        assert client.post(f"/moderation/post/{pending.id}/approve").status_code == 302
    assert ("wall:post", "add") in {(e["event"], e["payload"].get("op")) for e in events}
    assert _fresh(Post, pending.id).state == "published"
    assert [r.action for r in log_rows()][-1] == "post.approve"
    assert moderation_notifications(net.author)
    assert "En attente de validation" not in client.get(
        "/moderation?onglet=attente").get_data(as_text=True).split("</nav>", 2)[-1]
    as_user(client, net.reporter)
    assert client.get(f"/murs/messages/{pending.id}").status_code == 200


def test_reject_needs_a_reason(net, client, pending):
    as_user(client, net.moderator)
    assert client.post(f"/moderation/post/{pending.id}/reject").status_code == 400
    assert _fresh(Post, pending.id).state == "pending"
    assert client.post(f"/moderation/post/{pending.id}/reject",
                       data={"reason": "Publicité"}).status_code == 302
    assert _fresh(Post, pending.id).state == "rejected"
    [entry] = log_rows(action="post.reject")
    assert entry.reason == "Publicité"
    assert "Publicité" in moderation_notifications(net.author)[0].text
    as_user(client, net.reporter)
    assert client.get(f"/murs/messages/{pending.id}").status_code == 404


def test_approving_twice_is_400(net, client, pending):
    as_user(client, net.moderator)
    assert client.post(f"/moderation/post/{pending.id}/approve").status_code == 302
    assert client.post(f"/moderation/post/{pending.id}/approve").status_code == 400


def test_dismiss_closes_the_report_without_touching_the_content(net, client, scene):
    as_user(client, net.moderator)
    with capture_events(0):
        response = client.post(f"/moderation/post/{scene.id}/dismiss",
                               data={"reason": "Ton vif mais dans la charte"})
    assert response.status_code == 302
    row = db.session.scalar(select(Report))
    assert (row.status, row.resolution, row.resolved_by_id) == (
        "dismissed", "dismiss", net.moderator.id)
    post = _fresh(Post, scene.id)
    assert post.is_visible
    [entry] = log_rows(action="report.dismiss")
    assert entry.reason == "Ton vif mais dans la charte" and entry.target_id == scene.id
    assert entry.data == {"report_id": row.id}
    assert moderation_notifications(net.author) == []
    response = client.post(f"/moderation/post/{scene.id}/dismiss")
    assert response.status_code == 400
    assert "Aucun signalement" in response.get_data(as_text=True)


def test_unknown_actions_and_targets_are_404(net, client, scene):
    comment = comment_on(net.other, scene)
    as_user(client, net.moderator)
    for url in (f"/moderation/post/{scene.id}/explode",
                f"/moderation/comment/{comment.id}/pin",
                f"/moderation/comment/{comment.id}/move",
                "/moderation/post/999999/hide",
                f"/moderation/wall/{net.wall.id}/hide"):
        assert client.post(url, data={"reason": "x"}).status_code == 404, url


def test_members_may_not_act(net, client, scene):
    as_user(client, net.reporter)
    for action in ("hide", "dismiss", "pin"):
        response = client.post(f"/moderation/post/{scene.id}/{action}", data={"reason": "x"})
        assert response.status_code == 403
    assert client.get(f"/moderation/post/{scene.id}/hide").status_code == 403
    client.post("/deconnexion")
    response = client.post(f"/moderation/post/{scene.id}/hide", data={"reason": "x"})
    assert response.status_code == 302 and "/connexion" in response.location
    assert _fresh(Post, scene.id).hidden_at is None and open_reports()


def test_action_page_offers_the_form(net, client, scene):
    as_user(client, net.moderator)
    page = client.get(f"/moderation/post/{scene.id}/hide?next=/murs/{net.wall.slug}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Corps du message" in text and 'name="reason"' in text
    assert f'value="/murs/{net.wall.slug}"' in text
    evil = client.get(f"/moderation/post/{scene.id}/hide?next=//evil.example")
    assert 'name="next" value=""' in evil.get_data(as_text=True)


def test_next_must_be_same_site(net, client, scene):
    as_user(client, net.moderator)
    response = client.post(f"/moderation/post/{scene.id}/pin",
                           data={"next": "https://evil.example/"})
    assert response.status_code == 302 and response.location.endswith("/moderation")


def test_json_clients(net, client, scene):
    as_user(client, net.moderator)
    headers = {"Accept": "application/json"}
    response = client.post(f"/moderation/post/{scene.id}/hide", headers=headers, data={})
    assert response.status_code == 400 and response.json["error"] == "invalid"
    response = client.post(f"/moderation/post/{scene.id}/hide", headers=headers,
                           data={"reason": "Hors charte"})
    assert response.status_code == 200 and response.json["ok"] is True


# Every action, through the endpoint: effect, log line, author told, report resolved --------

CASES = [
    # (target type, action, state before, effect on the target)
    ("post", "hide", None, lambda t: t.hidden_at is not None),
    ("post", "unhide", "hide", lambda t: t.hidden_at is None),
    ("post", "delete", None, lambda t: t.deleted_at is not None),
    ("post", "restore", "delete", lambda t: t.deleted_at is None),
    ("post", "lock", None, lambda t: t.comments_locked),
    ("post", "unlock", "lock", lambda t: not t.comments_locked),
    ("post", "pin", None, lambda t: t.pinned_at is not None),
    ("post", "unpin", "pin", lambda t: t.pinned_at is None),
    ("post", "move", None, None),
    ("comment", "hide", None, lambda t: t.hidden_at is not None),
    ("comment", "unhide", "hide", lambda t: t.hidden_at is None),
    ("comment", "delete", None, lambda t: t.deleted_at is not None),
    ("comment", "restore", "delete", lambda t: t.deleted_at is None),
]


@pytest.mark.parametrize(("target_type", "action", "before", "effect"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_action_through_the_endpoint(net, client, target_type, action, before, effect):
    post = publish(net.author, net.wall, title="Sujet modéré")
    comment = comment_on(net.author, post, "Commentaire modéré")
    target_id = post.id if target_type == "post" else comment.id
    model = Post if target_type == "post" else Comment
    if before:
        act(net.moderator, target_type, target_id, before, reason="Étape préalable")
    else:  # only visible content can be reported
        report(net.reporter, _fresh(model, target_id), "abusive", "À vérifier")
    as_user(client, net.moderator)
    told_before = len(moderation_notifications(net.author))
    with capture_events() as events:
        response = client.post(f"/moderation/{target_type}/{target_id}/{action}",
                               data={"reason": "Motif de test", "wall_id": net.wall2.id,
                                     "next": f"/murs/messages/{post.id}"})
    assert response.status_code == 302
    assert response.location.endswith(f"/murs/messages/{post.id}")
    assert any(e["room"] == f"user:{net.author.id}" and e["event"] == "notification"
               for e in events)
    target = _fresh(model, target_id)
    if action == "move":
        assert target.wall_id == net.wall2.id
    else:
        assert effect(target)
    entry = log_rows()[-1]
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id,
            entry.target_user_id, entry.reason) == (
        net.moderator.id, f"{target_type}.{action}", target_type, target_id, net.author.id,
        "Motif de test")
    told = moderation_notifications(net.author)
    assert len(told) == told_before + 1
    assert told[-1].object_type == target_type and told[-1].object_id == target_id
    assert "Motif de test" in told[-1].text
    if not before:
        row = db.session.scalar(select(Report).where(Report.target_id == target_id,
                                                     Report.target_type == target_type))
        assert (row.status, row.resolution, row.resolved_by_id) == (
            "resolved", action, net.moderator.id)
    assert open_reports() == []


@pytest.mark.parametrize("action", ["hide", "delete"])
def test_a_removed_comment_leaves_the_feed(net, action):
    with transaction():
        notifications.do_follow(net.reporter, "wall", net.wall.id)
    post = publish(net.author, net.wall, title="Sujet")
    with transaction():  # comments reach the followers of the post, not of the wall
        notifications.do_follow(net.reporter, "post", post.id)
    comment = comment_on(net.other, post, "Texte injurieux à retirer")
    excerpts = [a.data.get("excerpt") for a in notifications.feed(net.reporter).items]
    assert "Texte injurieux à retirer" in excerpts
    act(net.moderator, "comment", comment.id, action, reason="Injure")
    reader = _fresh(type(net.reporter), net.reporter.id)
    excerpts = [a.data.get("excerpt") for a in notifications.feed(reader).items]
    assert "Texte injurieux à retirer" not in excerpts
