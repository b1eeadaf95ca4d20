"""Members report posts and comments; reports about one item merge."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import transaction
from app.errors import Invalid, NotFound
from app.extensions import db
from app.moderation import services
from app.moderation.models import Report, ReportEntry
from app.walls import services as walls
from app.walls.models import Post
from tests.moderation.conftest import (
    act,
    as_user,
    comment_on,
    count,
    open_reports,
    publish,
    report,
)


def _entries(report_row: Report) -> list[ReportEntry]:
    return list(db.session.scalars(select(ReportEntry).where(
        ReportEntry.report_id == report_row.id).order_by(ReportEntry.id)))


def test_reports_about_one_item_merge_one_entry_per_reporter(net):
    post = publish(net.author, net.wall)
    first = report(net.reporter, post, "spam", "Publicité déguisée")
    second = report(net.other, post, "off_topic", "")
    again = report(net.reporter, post, "abusive", "Finalement, c'est surtout insultant")
    assert first.id == second.id == again.id
    assert len(open_reports()) == 1
    entries = _entries(first)
    assert [(e.reporter_id, e.reason, e.text) for e in entries] == [
        (net.reporter.id, "abusive", "Finalement, c'est surtout insultant"),
        (net.other.id, "off_topic", ""),
    ]
    assert first.target_user_id == net.author.id and first.status == "open"


def test_a_new_report_after_resolution_opens_a_new_one(net):
    post = publish(net.author, net.wall)
    first = report(net.reporter, post)
    act(net.moderator, "post", post.id, "dismiss")
    second = report(net.reporter, post)
    assert second.id != first.id and [r.id for r in open_reports()] == [second.id]


def test_comments_are_reported_like_posts(net):
    post = publish(net.author, net.wall)
    comment = comment_on(net.other, post)
    row = report(net.reporter, comment, "personal_data", "Un numéro de téléphone")
    assert (row.target_type, row.target_id, row.target_user_id) == (
        "comment", comment.id, net.other.id)


def test_reporting_own_content_is_refused(net, client):
    post = publish(net.author, net.wall)
    with pytest.raises(Invalid):
        report(net.author, post)
    as_user(client, net.author)
    response = client.post(f"/moderation/signaler/post/{post.id}", data={"reason": "spam"})
    assert response.status_code == 400
    assert "propre contribution" in response.get_data(as_text=True)
    assert count(Report) == 0


@pytest.mark.parametrize("reason", ["", "autre", "<script>", None])
def test_unknown_reason_is_400(net, client, reason):
    post = publish(net.author, net.wall)
    as_user(client, net.reporter)
    data = {"text": "Bof"} if reason is None else {"reason": reason, "text": "Bof"}
    response = client.post(f"/moderation/signaler/post/{post.id}", data=data)
    assert response.status_code == 400
    assert "motif" in response.get_data(as_text=True)
    assert count(Report) == 0


def test_too_long_text_is_400_and_1000_characters_pass(net, client):
    post = publish(net.author, net.wall)
    as_user(client, net.reporter)
    url = f"/moderation/signaler/post/{post.id}"
    assert client.post(url, data={"reason": "other", "text": "x" * 1001}).status_code == 400
    assert count(Report) == 0
    assert client.post(url, data={"reason": "other", "text": "x" * 1000}).status_code == 302
    assert count(ReportEntry) == 1


def test_unknown_hidden_pending_and_private_targets_are_404(net, client):
    visible = publish(net.author, net.wall)
    hidden = publish(net.author, net.wall)
    act(net.moderator, "post", hidden.id, "hide", reason="Hors charte")
    hidden_comment = comment_on(net.other, visible)
    act(net.moderator, "comment", hidden_comment.id, "hide", reason="Hors charte")
    with transaction():
        net.wall2.premoderation = "all"
    pending = publish(net.author, net.wall2)
    assert pending.state == "pending"
    as_user(client, net.reporter)
    for url in (f"/moderation/signaler/post/{hidden.id}",
                f"/moderation/signaler/post/{pending.id}",
                f"/moderation/signaler/comment/{hidden_comment.id}",
                "/moderation/signaler/post/999999",
                "/moderation/signaler/comment/999999",
                "/moderation/signaler/post/99999999999999",
                f"/moderation/signaler/wall/{net.wall.id}",
                f"/moderation/signaler/user/{net.author.id}"):
        assert client.post(url, data={"reason": "spam"}).status_code == 404, url
    assert count(Report) == 0


def test_a_post_on_a_wall_the_member_cannot_see_is_404(net):
    with transaction():
        project_wall = walls.do_create_owned_wall("Projet mobilité", "project", 1)
        post = Post(wall_id=project_wall.id, author_id=net.author.id, body="Privé",
                          body_html="<p>Privé</p>")
        db.session.add(post)
    with pytest.raises(NotFound):
        report(net.reporter, post)


def test_reporting_redirects_to_next_with_a_thank_you(net, client):
    post = publish(net.author, net.wall)
    as_user(client, net.reporter)
    back = f"/murs/messages/{post.id}"
    response = client.post(f"/moderation/signaler/post/{post.id}",
                           data={"reason": "spam", "text": "Lien douteux", "next": back})
    assert response.status_code == 302 and response.location.endswith(back)
    page = client.get("/").get_data(as_text=True)
    assert "Merci, l&#39;équipe d&#39;animation va examiner ce signalement." in page


@pytest.mark.parametrize("evil", ["https://evil.example/x", "//evil.example", "javascript:x",
                                  "/\\evil.example"])
def test_only_same_site_next_is_followed(net, client, evil):
    post = publish(net.author, net.wall)
    as_user(client, net.reporter)
    response = client.post(f"/moderation/signaler/post/{post.id}",
                           data={"reason": "spam", "next": evil})
    assert response.status_code == 302
    assert response.location in ("/", "http://localhost/")


def test_json_clients_get_json(net, client):
    post = publish(net.author, net.wall)
    as_user(client, net.reporter)
    url = f"/moderation/signaler/post/{post.id}"
    headers = {"Accept": "application/json"}
    response = client.post(url, data={"reason": "spam"}, headers=headers)
    assert response.status_code == 200 and response.json["ok"] is True
    response = client.post(url, data={"reason": "nope"}, headers=headers)
    assert response.status_code == 400 and response.json["error"] == "invalid"


def test_anonymous_cannot_report(net, client):
    post = publish(net.author, net.wall)
    response = client.post(f"/moderation/signaler/post/{post.id}", data={"reason": "spam"})
    assert response.status_code == 302 and "/connexion" in response.location
    assert count(Report) == 0


class TestRateLimit:
    @pytest.fixture
    def app_overrides(self):
        return {"REPORT_RATE_LIMIT": "3 per hour"}

    def test_reporting_is_rate_limited_per_member(self, net, client):
        posts = [publish(net.author, net.wall) for _ in range(4)]
        as_user(client, net.reporter)
        for post in posts[:3]:
            assert client.post(f"/moderation/signaler/post/{post.id}",
                               data={"reason": "spam"}).status_code == 302
        response = client.post(f"/moderation/signaler/post/{posts[3].id}",
                               data={"reason": "spam"})
        assert response.status_code == 429
        assert "Trop de tentatives" in response.get_data(as_text=True)
        assert count(Report) == 3
        # Another member has their own allowance.
        as_user(client, net.other)
        assert client.post(f"/moderation/signaler/post/{posts[3].id}",
                           data={"reason": "spam"}).status_code == 302


def test_default_limit_is_20_per_hour(app):
    from app.moderation.views import REPORT_RATE_LIMIT

    assert REPORT_RATE_LIMIT == "20 per hour"
    assert services.REPORT_TEXT_MAX == 1000
