"""`flask notify digest`: one email per member who chose the daily digest, then nothing more."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.db import transaction, utcnow
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification
from tests.notifications.conftest import notify, set_prefs

LINK = re.compile(r"http://localhost/notifications/desabonnement/([\w.\-]+)")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def digest(runner) -> str:
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_digest_sends_one_mail_per_member_then_nothing(runner, people, outbox, moderator):
    lea, sophie, paul = people.lea, people.sophie, people.paul
    set_prefs(lea, reply="digest", mention="digest")
    set_prefs(sophie, reaction="digest")
    with transaction():  # suspended since this arrived: never emailed
        services.do_set_preferences(people.herve, {"reply": "digest"})
        db.session.add(Notification(user_id=people.herve.id, kind="reply", object_type="post",
                                    object_id=1, text="Pour Hervé", url="/x",
                                    created_at=utcnow()))
    for n in range(3):
        notify(lea, "reply", paul, object_id=n, text=f"Paul a répondu dans « Sujet {n} »",
               url=f"/murs/messages/{n}")
    notify(lea, "mention", sophie, text="Sophie vous a mentionné·e")
    notify(lea, "reaction", paul, text="Paul a réagi (pas en synthèse)")  # inapp for Léa
    read = notify(lea, "reply", sophie, object_id=8, text="Déjà lue")
    hidden = notify(lea, "reply", sophie, object_id=9, text="Masquée")
    notify(sophie, "reaction", lea, text="Léa a réagi à votre message")
    notify(paul, "reply", lea, text="Paul n'a pas choisi la synthèse")
    with transaction():
        services.check_mark_read(lea, read.id)
        services.do_set_object_hidden("post", 9, True)
    sent_before = len(outbox)

    assert digest(runner) == "2 e-mails de synthèse envoyés."
    mails = outbox[sent_before:]
    assert sorted(m.to[0] for m in mails) == ["lea@exemple.fr", "sophie@exemple.fr"]
    mail = next(m for m in mails if m.to == ["lea@exemple.fr"])
    assert mail.subject == "Votre synthèse : 4 notifications"
    for line in ("Paul a répondu dans « Sujet 0 »", "Paul a répondu dans « Sujet 2 »",
                 "Sophie vous a mentionné·e", "http://localhost/murs/messages/1"):
        assert line in mail.body
    for absent in ("Déjà lue", "Masquée", "pas en synthèse"):
        assert absent not in mail.body
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    assert "Sophie vous a mentionné·e" in html and 'href="http://localhost/murs/messages/2"' in html
    # One-click unsubscribe: in the text, the HTML and the headers (RFC 2369 / RFC 8058).
    token = LINK.search(mail.body).group(1)
    link = f"http://localhost/notifications/desabonnement/{token}"
    assert link in html
    assert mail.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in mail.message().as_string()

    db.session.expire_all()
    assert lea.digest_sent_at is not None and people.paul.digest_sent_at is None
    assert db.session.get(Notification, read.id).emailed_at is None
    assert db.session.get(Notification, hidden.id).emailed_at is None

    # Running again the same day sends nothing, even if something new arrived.
    notify(lea, "reply", paul, object_id=20, text="Arrivée après la synthèse")
    count = len(outbox)
    assert digest(runner) == "0 e-mails de synthèse envoyés."
    assert len(outbox) == count


def test_next_day_digest_has_only_the_new_ones(app, people, outbox):
    lea = people.lea
    set_prefs(lea, reply="digest")
    notify(lea, "reply", people.paul, text="Première")
    now = utcnow()
    with app.test_request_context(), transaction():
        assert services.do_send_digests(now) == 1
    notify(lea, "reply", people.paul, text="Deuxième")
    with app.test_request_context(), transaction():
        assert services.do_send_digests(now + timedelta(minutes=5)) == 0  # same day
    with app.test_request_context(), transaction():
        assert services.do_send_digests(now + timedelta(days=1)) == 1
    assert "Deuxième" in outbox[-1].body and "Première" not in outbox[-1].body
    assert outbox[-1].subject == "Votre synthèse : 1 notification"
    with app.test_request_context(), transaction():
        assert services.do_send_digests(now + timedelta(days=2)) == 0  # nothing new


def test_digest_needs_something_to_say(app, people, outbox):
    set_prefs(people.lea, reply="digest")
    with app.test_request_context(), transaction():
        assert services.do_send_digests() == 0
    assert outbox == []
    db.session.expire_all()
    assert people.lea.digest_sent_at is None


def test_digest_is_not_sent_when_the_transaction_fails(app, people, outbox):
    set_prefs(people.lea, reply="digest")
    notification = notify(people.lea, "reply", people.paul)
    with pytest.raises(RuntimeError), app.test_request_context(), transaction():
        services.do_send_digests()
        raise RuntimeError("boom")
    assert outbox == []
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).emailed_at is None


def test_long_digests_are_capped(app, people, outbox, monkeypatch):
    monkeypatch.setattr(services.digests, "DIGEST_ITEMS_MAX", 3)
    set_prefs(people.lea, reply="digest")
    for n in range(5):
        notify(people.lea, "reply", people.paul, object_id=n, text=f"Réponse {n}")
    with app.test_request_context(), transaction():
        services.do_send_digests()
    body = outbox[-1].body
    assert "Réponse 4" in body and "Réponse 2" in body and "Réponse 1" not in body
    assert "… et 2 autres notifications." in body
    assert outbox[-1].subject == "Votre synthèse : 5 notifications"


def test_unsubscribe_link_from_the_digest_stops_the_next_ones(app, client, runner, people,
                                                             outbox):
    lea = people.lea
    set_prefs(lea, reply="digest", mention="digest", reaction="inapp")
    notify(lea, "reply", people.paul)
    digest(runner)
    token = LINK.search(outbox[-1].body).group(1)
    assert "Me désabonner" in client.get(f"/notifications/desabonnement/{token}").text
    assert client.post(f"/notifications/desabonnement/{token}").status_code == 200
    db.session.expire_all()
    assert services.preferences(lea) == {**services.DEFAULT_DELIVERY, "reply": "off",
                                         "mention": "off", "reaction": "inapp"}
    notify(lea, "mention", people.paul)
    with app.test_request_context(), transaction():
        assert services.do_send_digests(utcnow() + timedelta(days=1)) == 0


class TestOutsideARequest:
    """A scheduled job may notify or send digests with no request and no SERVER_NAME."""

    @pytest.fixture
    def app_overrides(self):
        return {"SERVER_NAME": None, "BASE_URL": "https://catalyseurs.example"}

    def test_links_use_base_url(self, people, outbox):
        set_prefs(people.lea, reply="digest")
        notify(people.lea, "mention", people.paul, url="/murs/messages/3")
        assert "https://catalyseurs.example/murs/messages/3" in outbox[-1].body
        assert "https://catalyseurs.example/notifications/preferences" in outbox[-1].body
        notify(people.lea, "reply", people.paul, url="/murs/messages/4")
        with transaction():
            assert services.do_send_digests() == 1
        assert "https://catalyseurs.example/notifications/desabonnement/" in outbox[-1].body
        assert "https://catalyseurs.example/murs/messages/4" in outbox[-1].body
