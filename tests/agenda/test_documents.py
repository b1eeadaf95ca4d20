"""After an event: slides and minutes filed in the library from the event's page. The
library decides who sees them (a submission waiting for moderation: its submitter and the
moderators only), and the event's page shows exactly that."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app.agenda import services
from app.agenda.services import documents
from app.db import transaction, utcnow
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.library import services as library
from tests.agenda.test_agenda import create
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import assert_query_count, count_queries
from tests.library.files import pdf


def attach(actor, event, kind="slides", content=None, filename="supports.pdf", title=""):
    with transaction():
        return services.check_attach_document(
            actor, event.id, kind, filename,
            pdf(f"Supports {filename}") if content is None else content, title)


def visible(user, event):
    return [(d.link.kind, d.document.title, d.published)
            for d in services.event_documents(user, event)]


def as_user(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_an_animators_slides_are_published_at_once(app, moderator, member):
    event = create(moderator)
    attached = attach(moderator, event)
    assert attached.published
    document = library.access_document(member, attached.document.id)
    assert document.title == "Supports — Webinaire : financer un tiers-lieu"
    assert document.document_type.code == "webinaire"
    assert document.year == event.starts_at.year
    assert visible(member, event) == [
        ("slides", "Supports — Webinaire : financer un tiers-lieu", True)]
    page = as_user(app, member).get(f"/agenda/{event.id}")
    assert f'href="/bibliotheque/documents/{document.id}"' in page.text
    assert "Supports — Webinaire : financer un tiers-lieu" in page.text
    assert "Déposer dans la bibliothèque" not in page.text  # members do not attach


def test_a_former_animators_minutes_wait_for_the_librarys_moderation(app, moderator, member):
    event = create(moderator)
    moderator.role = "member"  # stepped down, still the organiser of their webinar
    db.session.commit()
    attached = attach(moderator, event, "minutes", filename="compte-rendu.pdf",
                      title="Ce que nous avons appris")
    assert not attached.published
    assert visible(member, event) == []
    assert visible(moderator, event) == [("minutes", "Ce que nous avons appris", False)]
    animator = make_user(role="moderator")
    assert visible(animator, event) == [("minutes", "Ce que nous avons appris", False)]
    assert [item.document.id for item in library.pending(animator)] == [attached.document.id]
    page = as_user(app, moderator).get(f"/agenda/{event.id}")
    assert "En attente de validation par la bibliothèque" in page.text
    assert "Ce que nous avons appris" not in as_user(app, member).get(
        f"/agenda/{event.id}").text
    with transaction():
        library.check_approve(animator, library.access_document(animator,
                                                                attached.document.id))
    assert visible(member, event) == [("minutes", "Ce que nous avons appris", True)]


def test_slides_are_listed_before_minutes(app, moderator, member):
    event = create(moderator)
    attach(moderator, event, "minutes", filename="cr.pdf")
    attach(moderator, event, "slides", filename="s.pdf")
    assert [kind for kind, _title, _published in visible(member, event)] == [
        "slides", "minutes"]


def test_only_organisers_and_animators_attach(app, moderator, member):
    event = create(moderator)
    with pytest.raises(PermissionDenied), transaction():
        services.check_attach_document(member, event.id, "slides", "s.pdf", pdf("x"))
    response = as_user(app, member).post(
        f"/agenda/{event.id}/documents",
        data={"kind": "slides", "file": (io.BytesIO(pdf("x")), "s.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 403
    other_animator = make_user(role="moderator")
    assert attach(other_animator, event).published


def test_no_documents_on_sessions_nor_cancelled_events(app, moderator):
    when = utcnow() + timedelta(days=2)
    with transaction():
        owned = services.do_upsert_owned_event(
            "codev", 1, kind="codev", title="Codéveloppement : un sujet", starts_at=when,
            ends_at=when + timedelta(hours=2), organizer_id=moderator.id)
        services.do_set_invitees(owned, [moderator.id])
    with pytest.raises(PermissionDenied), transaction():
        services.check_attach_document(moderator, owned.id, "minutes", "cr.pdf", pdf("x"))
    outsider = make_user()
    with pytest.raises(NotFound), transaction():
        services.check_attach_document(outsider, owned.id, "minutes", "cr.pdf", pdf("x"))
    response = as_user(app, outsider).post(
        f"/agenda/{owned.id}/documents",
        data={"kind": "minutes", "file": (io.BytesIO(pdf("x")), "cr.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 404
    assert "Supports et compte rendu" not in as_user(app, moderator).get(
        f"/agenda/{owned.id}").text
    cancelled = create(moderator)
    with transaction():
        services.check_cancel_event(moderator, cancelled.id)
    with pytest.raises(PermissionDenied), transaction():
        services.check_attach_document(moderator, cancelled.id, "slides", "s.pdf", pdf("x"))


@pytest.mark.parametrize("kind, filename, content, field", [
    ("agenda", "s.pdf", None, "kind"),
    ("slides", "s.pdf", b"", "file"),
    ("slides", "programme.exe", b"MZ\x90\x00" + b"\x00" * 200, "file"),
])
def test_bad_attachments_are_refused_with_a_field(app, moderator, kind, filename, content,
                                                  field):
    event = create(moderator)
    with pytest.raises(Invalid) as error, transaction():
        services.check_attach_document(moderator, event.id, kind, filename,
                                       pdf("x") if content is None else content)
    assert error.value.field == field and str(error.value.message)
    assert services.event_documents(moderator, event) == []


def test_an_event_holds_a_bounded_number_of_documents(app, moderator, monkeypatch):
    monkeypatch.setattr(documents, "EVENT_DOCUMENTS_MAX", 2)
    event = create(moderator)
    attach(moderator, event, filename="a.pdf")
    attach(moderator, event, filename="b.pdf")
    with pytest.raises(Invalid) as error:
        attach(moderator, event, filename="c.pdf")
    assert error.value.field == "file"


def test_the_form_on_the_event_page(app, moderator):
    event = create(moderator)
    client = as_user(app, moderator)
    page = client.get(f"/agenda/{event.id}")
    assert 'enctype="multipart/form-data"' in page.text
    refused = client.post(f"/agenda/{event.id}/documents", data={
        "kind": "minutes", "title": "Notre compte rendu <b>précieux</b>",
        "file": (io.BytesIO(b"\x00\x01 pas un document"), "<b>cr</b>.bin")},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "n&#39;est pas d&#39;un type accepté" in refused.text
    assert "<b>cr</b>" not in refused.text  # the file's name is text, never markup
    assert 'value="Notre compte rendu &lt;b&gt;précieux&lt;/b&gt;"' in refused.text
    assert '<option selected value="minutes">' in refused.text
    missing = client.post(f"/agenda/{event.id}/documents", data={"kind": "slides"},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choisissez le fichier à déposer." in missing.text
    done = client.post(f"/agenda/{event.id}/documents", data={
        "kind": "slides", "file": (io.BytesIO(pdf("Diapos")), "diapos.pdf")},
        content_type="multipart/form-data")
    assert done.status_code == 302
    page = client.get(f"/agenda/{event.id}")
    assert "publié dans la bibliothèque" in page.text
    assert "Supports — Webinaire : financer un tiers-lieu" in page.text


def test_the_event_page_reads_its_documents_in_one_query(app, moderator, member):
    event = create(moderator)
    attach(moderator, event, filename="s0.pdf", title="Supports 0")
    client = as_user(app, member)
    client.get(f"/agenda/{event.id}")
    with count_queries() as few:
        assert client.get(f"/agenda/{event.id}").status_code == 200
    for n in range(1, 4):
        attach(moderator, event, filename=f"s{n}.pdf", title=f"Supports {n}")
    client.get(f"/agenda/{event.id}")
    with assert_query_count(few.count):
        page = client.get(f"/agenda/{event.id}")
    assert all(f"Supports {n}" in page.text for n in range(4))
