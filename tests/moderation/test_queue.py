"""The moderators' queue: open reports (newest first, by keyset) and posts awaiting approval."""

from __future__ import annotations

import re

import pytest

from app.db import transaction
from app.moderation import services
from tests.helpers import assert_query_count, count_queries
from tests.moderation.conftest import act, as_user, comment_on, publish, report

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_queue_is_for_moderators(net, client):
    response = client.get("/moderation")
    assert response.status_code == 302 and "/connexion" in response.location
    as_user(client, net.reporter)
    assert client.get("/moderation").status_code == 403
    assert client.get("/moderation?onglet=attente").status_code == 403
    assert client.get(f"/moderation/membres/{net.author.id}").status_code == 403
    home = client.get("/").get_data(as_text=True)
    assert 'href="/moderation"' not in home
    for user in (net.moderator, net.admin):
        as_user(client, user)
        assert client.get("/moderation").status_code == 200
        assert 'href="/moderation"' in client.get("/").get_data(as_text=True)


def test_reported_content_is_shown_with_every_reporter(net, client):
    post = publish(net.author, net.wall, title="Appel à projets", body="Un **texte** à lire")
    comment = comment_on(net.other, post, "Un commentaire *limite*")
    report(net.reporter, post, "spam", "Lien commercial en bas")
    report(net.other, post, "misinformation", "Les dates sont fausses")
    report(net.reporter, comment, "abusive", "Ton méprisant")
    as_user(client, net.moderator)
    page = client.get("/moderation").get_data(as_text=True)
    assert "Appel à projets" in page and "Un <strong>texte</strong> à lire" in page
    assert "Un commentaire <em>limite</em>" in page
    assert "Paul Lefèvre" in page and "Léa Fontaine" in page and "Mur général" in page
    assert "Spam ou publicité" in page and "Lien commercial en bas" in page
    assert "Information fausse ou trompeuse" in page and "Les dates sont fausses" in page
    assert "2 signalements" in page and "1 signalement" in page
    # Newest report first: the comment's, then the post's.
    assert page.index("Ton méprisant") < page.index("Lien commercial en bas")
    # Each item offers the actions that apply, with "Classer sans suite".
    assert f"/moderation/post/{post.id}/hide" in page
    assert f"/moderation/post/{post.id}/dismiss" in page
    assert f"/moderation/post/{post.id}/move" in page
    assert f"/moderation/comment/{comment.id}/delete" in page
    assert f"/moderation/comment/{comment.id}/pin" not in page
    # The tab counts open reports; the menu badge counts reports and pending posts.
    assert re.search(r"Signalements <span class=\"badge\">2</span>", page)
    assert re.search(r'class="nav-count"[^>]*><span aria-hidden="true">2</span>', page)


def test_resolved_reports_leave_the_queue(net, client):
    post = publish(net.author, net.wall, title="Bientôt traité")
    report(net.reporter, post)
    act(net.moderator, "post", post.id, "hide", reason="Hors charte")
    as_user(client, net.moderator)
    page = client.get("/moderation").get_data(as_text=True)
    assert "Bientôt traité" not in page and "Aucun signalement en cours" in page


def test_queue_pages_by_keyset(net, client):
    posts = [publish(net.author, net.wall) for _ in range(services.QUEUE_PAGE + 3)]
    for post in posts:
        report(net.reporter, post)
    as_user(client, net.moderator)
    first = client.get("/moderation").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'id="signalement-(\d+)"', first)]
    assert len(ids) == services.QUEUE_PAGE and ids == sorted(ids, reverse=True)
    cursor = re.search(r'href="/moderation\?avant=(\d+)"', first).group(1)
    second = client.get(f"/moderation?avant={cursor}").get_data(as_text=True)
    more = [int(i) for i in re.findall(r'id="signalement-(\d+)"', second)]
    assert len(more) == 3 and max(more) < min(ids)
    assert not re.search(r'href="/moderation\?avant=', second)


def test_pending_tab(net, client):
    with transaction():
        net.wall2.premoderation = "all"
    publish(net.author, net.wall2, title="Premier message à valider")
    as_user(client, net.moderator)
    page = client.get("/moderation?onglet=attente").get_data(as_text=True)
    assert "Premier message à valider" in page and "Emploi et insertion" in page
    assert re.search(r"En attente de validation <span class=\"badge\">1</span>", page)


def test_xss_in_report_texts_and_content_is_inert(net, client):
    post = publish(net.author, net.wall, title=XSS, body=f"Corps {XSS}")
    report(net.reporter, post, "other", XSS)
    as_user(client, net.moderator)
    page = client.get("/moderation").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    action_page = client.get(f"/moderation/post/{post.id}/hide").get_data(as_text=True)
    assert "<script>alert" not in action_page and "<img src=x" not in action_page


def _grow(net, n: int) -> None:
    """n reported posts, n reported comments, n pending posts, 2n log lines."""
    for _ in range(n):
        post = publish(net.author, net.wall)
        comment = comment_on(net.other, post)
        report(net.reporter, post)
        report(net.reporter, comment, "spam", "Encore")
        publish(net.other, net.wall2)
        hidden = publish(net.other, net.wall)
        act(net.moderator, "post", hidden.id, "pin")
        second = comment_on(net.author, hidden)
        act(net.moderator, "comment", second.id, "hide", reason="Hors sujet")


@pytest.mark.parametrize("url", ["/moderation", "/moderation?onglet=attente",
                                 "/moderation/journal", "/moderation/journal?action=post.pin"])
def test_queue_and_log_cost_a_constant_number_of_queries(net, client, url):
    with transaction():
        net.wall2.premoderation = "all"
    counts = []
    for size in (3, 27):  # 3 items, then 30
        _grow(net, size)
        as_user(client, net.moderator)
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    with assert_query_count(counts[0]):
        client.get(url)
