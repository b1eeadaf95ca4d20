"""The notification centre, the badge, preferences, unsubscribe pages and the feed partial."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from app.db import transaction
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification, NotificationPreference
from tests.conftest import login
from tests.helpers import count_queries
from tests.notifications.conftest import follow, notify, record, set_prefs


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def as_lea(client, people):
    login(client, people.lea)
    return client


# Centre ---------------------------------------------------------------------------------------

def test_centre_lists_notifications_unread_first_highlighted(as_lea, people):
    read = notify(people.lea, "reply", people.paul, text="Paul a répondu dans « Mobilité »")
    with transaction():
        services.check_mark_read(people.lea, read.id)
    notify(people.lea, "mention", people.sophie, text="Sophie vous a mentionné·e")
    notify(people.paul, "reply", people.lea, text="Pas pour Léa")
    response = as_lea.get("/notifications")
    assert response.status_code == 200
    page = text(response)
    assert "Sophie vous a mentionné·e" in page and "Paul a répondu dans « Mobilité »" in page
    assert "Pas pour Léa" not in page
    assert page.index("Sophie vous a mentionné·e") < page.index("Paul a répondu")
    assert page.count('class="notification-item is-unread"') == 1
    assert "1 notification non lue" in page
    assert "Tout marquer comme lu" in page
    assert f'action="/notifications/{read.id}/lu"' in page


def test_centre_empty_state(as_lea):
    page = text(as_lea.get("/notifications"))
    assert "Aucune notification pour l'instant." in page
    assert "Tout marquer comme lu" not in page


def test_centre_pages_by_keyset(as_lea, people):
    made = [notify(people.lea, "reply", people.paul, object_id=n, text=f"Réponse numéro {n}")
            for n in range(35)]
    first = text(as_lea.get("/notifications"))
    assert "Réponse numéro 34" in first and "Réponse numéro 4" not in first
    cursor = re.search(r'href="/notifications\?avant=(\d+)"', first).group(1)
    assert int(cursor) == made[5].id
    second = text(as_lea.get(f"/notifications?avant={cursor}"))
    assert "Réponse numéro 4" in second and "Réponse numéro 5" not in second
    assert 'rel="next"' not in second
    # A cursor that is not a number is ignored.
    assert as_lea.get("/notifications?avant=abc").status_code == 200


def test_centre_text_is_escaped(as_lea, people):
    notify(people.lea, "reply", people.paul, text='<script>alert("x")</script>')
    raw = as_lea.get("/notifications").get_data(as_text=True)
    assert "<script>alert" not in raw and "&lt;script&gt;" in raw


def test_centre_query_count_does_not_grow(app, client, people):
    def measure(n: int) -> int:
        for i in range(n):
            notify(people.lea, "reply", people.paul if i % 2 else people.sophie, object_id=i)
        client.get("/notifications")
        with count_queries() as counter:
            assert client.get("/notifications").status_code == 200
        return counter.count

    login(client, people.lea)
    small = measure(5)
    large = measure(35)  # 40 in all: a full page of 30 and a "Voir plus" link
    # The page (actors and their profiles joined) and the unread count; the member
    # comes from the session's identity map here.
    assert small == large == 2, (small, large)


# Mark read -------------------------------------------------------------------------------------

def test_opening_a_notification_marks_it_read_and_follows_its_link(as_lea, people):
    notification = notify(people.lea, "reply", people.paul, url="/murs/messages/4#commentaire-9")
    response = as_lea.post(f"/notifications/{notification.id}/lu")
    assert response.status_code == 302
    assert response.location == "/murs/messages/4#commentaire-9"
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is not None
    assert as_lea.get("/notifications/non-lues").get_json() == {"unread": 0}


def test_a_stored_link_off_site_falls_back_to_the_centre(as_lea, people):
    notification = notify(people.lea, "reply", people.paul)
    with transaction():
        notification.url = "//evil.example/x"  # however it got there
    response = as_lea.post(f"/notifications/{notification.id}/lu")
    assert response.location == "/notifications"


@pytest.mark.parametrize("path", ["/notifications/{other}/lu", "/notifications/999999/lu",
                                  "/notifications/abc/lu", "/notifications/-1/lu",
                                  "/notifications/99999999999999999999/lu"])
def test_marking_what_is_not_yours_is_404(as_lea, people, path):
    other = notify(people.paul, "reply", people.lea)
    response = as_lea.post(path.format(other=other.id))
    assert response.status_code == 404
    assert "Page introuvable" in text(response)
    db.session.expire_all()
    assert db.session.get(Notification, other.id).read_at is None


def test_mark_read_is_post_only(as_lea, people):
    notification = notify(people.lea, "reply", people.paul)
    assert as_lea.get(f"/notifications/{notification.id}/lu").status_code == 405


def test_mark_all_read(as_lea, people):
    for n in range(3):
        notify(people.lea, "reply", people.paul, object_id=n)
    other = notify(people.paul, "reply", people.lea)
    response = as_lea.post("/notifications/tout-lu", follow_redirects=True)
    assert response.status_code == 200
    assert "Toutes vos notifications sont marquées comme lues." in text(response)
    assert "Aucune notification non lue" in text(response)
    assert services.unread_count(people.lea) == 0
    db.session.expire_all()
    assert db.session.get(Notification, other.id).read_at is None


def test_unread_count_json(as_lea, people):
    assert as_lea.get("/notifications/non-lues").get_json() == {"unread": 0}
    notify(people.lea, "reply", people.paul)
    notify(people.lea, "mention", people.paul)
    response = as_lea.get("/notifications/non-lues")
    assert response.get_json() == {"unread": 2}
    assert "no-store" in response.headers["Cache-Control"]


def test_pages_need_login(client, people):
    for method, url in [("get", "/notifications"), ("get", "/notifications/non-lues"),
                        ("get", "/notifications/preferences"), ("post", "/notifications/tout-lu")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/connexion" in response.location


def test_badge_and_script_in_every_page(as_lea):
    page = as_lea.get("/notifications/preferences").get_data(as_text=True)
    assert re.search(r'src="/static/js/notifications\.[0-9a-f]{12}\.js"', page)  # fingerprinted
    assert "data-notification-badge" in page and 'data-unread-url="/notifications/non-lues"' in page
    assert 'data-label-many="{n} notifications non lues"' in page
    # No inline script: the CSP allows only files from 'self'.
    assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))", page)


# Preferences -----------------------------------------------------------------------------------

def selected(page: str, kind: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="pref-{kind}"[^>]*>(.*?)</select>', page, re.S)
    option = re.search(r'<option selected value="(\w+)"|<option value="(\w+)" selected',
                       select_html.group(1))
    return next(v for v in option.groups() if v) if option else None


def test_preferences_form_shows_the_four_choices_and_current_values(as_lea, people):
    set_prefs(people.lea, reply="digest")
    page = text(as_lea.get("/notifications/preferences"))
    for label in ("Dans la plateforme seulement", "E-mail immédiat", "Synthèse quotidienne",
                  "Désactivé"):
        assert page.count(f">{label}</option>") == 7
    assert selected(page, "reply") == "digest"
    assert selected(page, "mention") == "email"


def test_preferences_are_saved(as_lea, people):
    response = as_lea.post("/notifications/preferences", data={
        "pref-mention": "digest", "pref-reply": "off", "pref-reaction": "inapp",
        "pref-accepted_answer": "email", "pref-moderation": "email"})
    assert response.status_code == 302
    assert services.preferences(people.lea) == {
        "mention": "digest", "reply": "off", "reaction": "inapp", "accepted_answer": "email",
        "moderation": "email", "project": "inapp", "event": "email"}
    assert "Vos préférences de notification sont enregistrées." in text(
        as_lea.get(response.location))


@pytest.mark.parametrize(("data", "message"), [
    ({"pref-mention": "digest", "pref-reply": "pigeon"}, "Mode de réception inconnu."),
    ({"pref-mention": "digest", "pref-telepathy": "inapp"}, "Type de notification inconnu."),
])
def test_bad_preferences_are_400_and_nothing_is_lost(as_lea, people, data, message):
    response = as_lea.post("/notifications/preferences", data=data)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert selected(page, "mention") == "digest"  # what the member chose is still there
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0


# Unsubscribe -----------------------------------------------------------------------------------

def test_unsubscribe_page_works_without_login(client, people):
    set_prefs(people.lea, reply="digest", mention="digest", reaction="off")
    token = services.unsubscribe_token(people.lea)
    page = client.get(f"/notifications/desabonnement/{token}")
    assert page.status_code == 200
    assert "Me désabonner de la synthèse" in text(page)
    assert f'action="/notifications/desabonnement/{token}"' in text(page)
    # Looking at the page changes nothing.
    assert services.preferences(people.lea)["reply"] == "digest"

    done = client.post(f"/notifications/desabonnement/{token}")
    assert done.status_code == 200
    assert "Vous ne recevrez plus la synthèse quotidienne." in text(done)
    db.session.expire_all()
    assert services.preferences(people.lea) == {**services.DEFAULT_DELIVERY, "reply": "off",
                                                "mention": "off", "reaction": "off"}
    # Clicking again is harmless.
    assert client.post(f"/notifications/desabonnement/{token}").status_code == 200


@pytest.mark.parametrize("token", ["abc", "eyJ1IjoxfQ.AAAA.BBBB", "x" * 300])
def test_bad_unsubscribe_token_is_a_friendly_404(client, people, token):
    set_prefs(people.lea, reply="digest")
    for method in ("get", "post"):
        response = getattr(client, method)(f"/notifications/desabonnement/{token}")
        assert response.status_code == 404
        assert "Ce lien n'est plus valable" in text(response)
    assert services.preferences(people.lea)["reply"] == "digest"


def test_tampered_or_foreign_tokens_are_refused(client, people, app):
    token = services.unsubscribe_token(people.lea)
    payload, rest = token.split(".", 1)
    tampered = ("A" if payload[0] != "A" else "B") + payload[1:] + "." + rest
    assert client.get(f"/notifications/desabonnement/{tampered}").status_code == 404
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="autre").dumps(
        {"u": people.lea.id})
    assert client.get(f"/notifications/desabonnement/{other_salt}").status_code == 404


def test_expired_unsubscribe_token_is_refused(client, people, monkeypatch):
    token = services.unsubscribe_token(people.lea)
    monkeypatch.setattr(services.queries, "UNSUBSCRIBE_MAX_AGE", -1)
    assert client.get(f"/notifications/desabonnement/{token}").status_code == 404


class TestWithCsrf:
    @pytest.fixture
    def app_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_one_click_post_needs_no_csrf_token_but_other_forms_do(self, client, people):
        set_prefs(people.lea, reply="digest")
        token = services.unsubscribe_token(people.lea)
        response = client.post(f"/notifications/desabonnement/{token}",
                               data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert services.preferences(people.lea)["reply"] == "off"

        notification = notify(people.lea, "mention", people.paul)
        login_page = client.get("/connexion").get_data(as_text=True)
        csrf_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        client.post("/connexion", data={"email": people.lea.email, "password":
                                        "motdepasse-solide", "csrf_token": csrf_token})
        assert client.post(f"/notifications/{notification.id}/lu").status_code == 400
        assert client.post("/notifications/tout-lu").status_code == 400


# Feed partial ---------------------------------------------------------------------------------

def render_feed(app, viewer, **kwargs) -> str:
    with app.test_request_context("/", query_string=kwargs.pop("query", None)):
        login_user(viewer)
        page = services.feed(viewer, **kwargs)
        return html.unescape(render_template("notifications/_feed.html", feed=page))


def test_feed_partial_sentences_badges_and_links(app, people):
    lea, paul = people.lea, people.paul
    follow(lea, "wall", 1)
    with transaction():
        services.do_mark_feed_seen(lea)
    record("post.created", paul, "post", 1, context_type="wall", context_id=1,
           data={"title": "Un tiers-lieu rural", "excerpt": "Retour d'expérience",
                 "url": "/murs/messages/1", "context_name": "Mur général"})
    record("answer.created", paul, "post", 2, context_type="wall", context_id=1,
           target_user_id=lea.id, data={"title": "Ma question", "url": "/murs/messages/2"})
    record("mention", paul, "post", 3, target_user_id=lea.id,
           data={"title": "", "excerpt": "Bonjour @Léa", "url": "/murs/messages/3"})
    record("announcement", None, "post", 4, broadcast=True,
           data={"title": "Rencontre annuelle", "url": "/murs/messages/4"})
    page = render_feed(app, lea)
    assert "Paul Lefèvre a publié dans Mur général" in re.sub(r"<[^>]+>", "", page)
    assert "Paul Lefèvre a répondu à votre question" in re.sub(r"<[^>]+>", "", page)
    assert "Paul Lefèvre vous a mentionné·e" in re.sub(r"<[^>]+>", "", page)
    assert "Annonce" in page and "Un membre a publié une annonce" in re.sub(r"<[^>]+>", "", page)
    assert '<a href="/murs/messages/1">Un tiers-lieu rural</a>' in page
    assert "Retour d'expérience" in page
    assert '<a href="/murs/messages/3">Lire la suite</a>' in page
    # All four arrived after her previous visit.
    assert page.count(">Nouveau</span>") == 4
    assert "4 nouveautés depuis votre dernière visite" in page


def test_feed_partial_marks_new_items_and_links_to_more(app, people):
    lea, paul = people.lea, people.paul
    for n in range(3):
        record("announcement", paul, "post", n, broadcast=True,
               data={"title": f"Annonce {n}", "url": f"/murs/messages/{n}"})
    with transaction():
        services.do_mark_feed_seen(lea)
        newer = services.do_record_activity("announcement", paul, "post", 9, broadcast=True,
                                            data={"title": "Toute fraîche", "url": "/x"})
        newer.created_at = lea.feed_seen_at + timedelta(minutes=1)
    page = render_feed(app, lea, limit=2)
    assert page.count(">Nouveau</span>") == 1
    assert "1 nouveauté depuis votre dernière visite" in page
    items = re.findall(r'<li class="feed-item([^"]*)"', page)
    assert items == [" is-new is-announcement", " is-announcement"]
    cursor = re.search(r'href="/\?avant=(\d+)#fil"', page)
    assert cursor, page
    older = render_feed(app, lea, limit=2, before_id=int(cursor.group(1)),
                        query={"avant": cursor.group(1)})
    assert "Annonce 0" in older and "Toute fraîche" not in older
    assert "avant=" not in older and "nouveauté" not in older


def test_feed_partial_escapes_member_text(app, people):
    with transaction():
        people.paul.display_name = "<b>Paul</b>"
    record("announcement", people.paul, "post", 1, broadcast=True,
           data={"title": "<img src=x onerror=alert(1)>", "excerpt": "<script>x</script>",
                 "url": "/x", "context_name": "<i>mur</i>"})
    with app.test_request_context("/"):
        login_user(people.lea)
        raw = render_template("notifications/_feed.html", feed=services.feed(people.lea))
    assert "<img" not in raw and "<script>" not in raw and "<b>Paul" not in raw
    assert "&lt;b&gt;Paul&lt;/b&gt;" in raw and "<strong>" in raw


def test_feed_partial_empty_state(app, people):
    page = render_feed(app, people.lea)
    assert "Rien de neuf pour l'instant." in page


def test_feed_query_count_is_constant(app, people):
    lea = people.lea
    follow(lea, "wall", 1)
    authors = [people.paul, people.sophie, None]

    def measure(n: int) -> int:
        with transaction():
            for i in range(n):
                services.do_record_activity("post.created", authors[i % 3], "post", i,
                                            context_type="wall", context_id=1,
                                            data={"title": f"Message {i}", "url": f"/m/{i}"})
        db.session.expire_all()
        assert lea.feed_seen_at is None  # the member is loaded, as on a real request
        with count_queries() as counter:
            page = services.feed(lea, limit=40)
            rendered = render_feed_page(app, lea, page)
        assert rendered.count('class="feed-item') == len(page.items)
        return counter.count, len(page.items)

    small = measure(5)
    large = measure(35)
    assert small == (1, 5) and large == (1, 40)


def render_feed_page(app, viewer, page) -> str:
    with app.test_request_context("/"):
        login_user(viewer)
        return render_template("notifications/_feed.html", feed=page)
