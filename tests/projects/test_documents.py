"""The Documents tab: a library shelf owned by the project. Members upload, leads publish,
ask for changes or refuse on the project's own queue and propose documents to the main
library; published documents reach the members' news feed, and only theirs."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.library import services as library
from app.notifications import services as notifications
from app.notifications.models import Notification
from app.projects import services
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import assert_query_count, count_queries
from tests.projects.conftest import checked, doc_data, make_project


def access(user, project):
    return services.access_project(user, project.id)


def submit(user, project, name="diagnostic.md", **values):
    with transaction():
        [document] = services.check_submit_documents(user, access(user, project),
                                                     [checked(name)], doc_data(**values))
    return document


def decide(user, project, document, decision, message=""):
    with transaction():
        target = services.access_shelf_document(user, access(user, project), document.id)
        services.check_decide_document(user, access(user, project), target, decision, message)
    return library.access_document(user, document.id)


def feed_titles(user):
    return [a.data.get("title") for a in notifications.feed(user).items
            if a.verb == "document.published"]


def test_a_members_document_waits_for_a_lead(app, lead, teammate, private_project):
    document = submit(teammate, private_project)
    assert document.state == "pending"
    assert (document.owner_type, document.owner_id) == ("project", private_project.id)
    [note] = db.session.scalars(select(Notification).where(
        Notification.user_id == lead.id, Notification.object_type == "document")).all()
    assert "à valider" in note.text and note.url.endswith("#a-valider")

    lead_tab = services.documents(lead, access(lead, private_project))
    assert [i.document.id for i in lead_tab.queue] == [document.id]
    assert lead_tab.page.total == 0 and lead_tab.can_moderate
    member_tab = services.documents(teammate, access(teammate, private_project))
    assert member_tab.queue == [] and not member_tab.can_moderate
    assert [d.id for d in member_tab.waiting] == [document.id]


def test_published_documents_reach_members_feed_only(app, lead, teammate, outsider,
                                                     private_project):
    third = make_user(name="Inès Roux")
    with transaction():
        services.check_invite(lead, access(lead, private_project), [third.id])
    document = submit(teammate, private_project, title="Diagnostic partagé")
    assert feed_titles(third) == []  # not before it is published

    published = decide(lead, private_project, document, "approve")
    assert published.state == "published"
    assert feed_titles(third) == ["Diagnostic partagé"]
    assert feed_titles(lead) == ["Diagnostic partagé"]
    [item] = [a for a in notifications.feed(third).items if a.verb == "document.published"]
    assert item.data["context_name"] == private_project.title
    for stranger in (outsider, make_user(name="Mehdi Benali", role="moderator")):
        assert feed_titles(stranger) == []
    tab = services.documents(third, access(third, private_project))
    assert [d.title for d in tab.page.documents] == ["Diagnostic partagé"]

    # Leaving the project: its news stop at once.
    with transaction():
        services.check_leave(third, access(third, private_project))
    assert feed_titles(third) == []


def test_news_names_the_project_whichever_page_approved_it(app, lead, teammate,
                                                           private_project):
    """Approved from the library's own document page, not the project's tab."""
    document = submit(teammate, private_project, title="Charte du collectif")
    with transaction():
        library.check_approve(lead, library.access_document(lead, document.id))
    [item] = [a for a in notifications.feed(lead).items if a.verb == "document.published"]
    assert item.data["context_name"] == private_project.title


def test_a_leads_upload_is_published_at_once(app, lead, teammate, open_project):
    document = submit(lead, open_project, title="Charte du tiers-lieu")
    assert document.state == "published"
    assert feed_titles(teammate) == ["Charte du tiers-lieu"]
    assert services.documents(lead, access(lead, open_project)).queue == []


def test_changes_and_refusal_need_a_message_and_tell_the_submitter(app, lead, teammate,
                                                                   open_project):
    first = submit(teammate, open_project, "premier.md")
    with pytest.raises(Invalid) as error:
        decide(lead, open_project, first, "changes", "   ")
    assert error.value.field == "message"
    assert decide(lead, open_project, first, "changes", "Ajoutez la date").state == "changes"
    second = submit(teammate, open_project, "second.md")
    assert decide(lead, open_project, second, "reject", "Hors sujet").state == "rejected"
    texts = list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == teammate.id, Notification.kind == "moderation")))
    assert any("Ajoutez la date" in t for t in texts) and any("Hors sujet" in t for t in texts)
    waiting = services.documents(teammate, access(teammate, open_project)).waiting
    assert {d.state for d in waiting} == {"changes", "rejected"}
    with pytest.raises(Invalid):
        decide(lead, open_project, first, "archive")


def test_only_leads_decide(app, lead, teammate, open_project):
    document = submit(teammate, open_project)
    with pytest.raises(PermissionDenied):
        decide(teammate, open_project, document, "approve")
    assert library.access_document(lead, document.id).state == "pending"


def test_a_document_of_another_shelf_is_not_found(app, lead, open_project):
    other = make_project(lead, title="Autre projet")
    document = submit(lead, other)
    with pytest.raises(NotFound):
        services.access_shelf_document(lead, access(lead, open_project), document.id)
    with pytest.raises(NotFound):
        services.access_shelf_document(lead, access(lead, open_project), 0)


def test_a_lead_proposes_a_document_to_the_main_library(app, lead, teammate, private_project):
    moderator = make_user(name="Mehdi Benali", role="moderator")
    document = submit(lead, private_project, title="Guide de la coopérative")
    with pytest.raises(PermissionDenied), transaction():
        services.check_propose_document(teammate, library.access_document(teammate,
                                                                          document.id))
    with transaction():
        copy = services.check_propose_document(lead, document)
    assert copy.owner_type is None and copy.state == "pending"
    assert copy.proposed_from_id == document.id
    assert [i.document.id for i in library.pending(moderator)] == [copy.id]
    with pytest.raises(Invalid), transaction():
        services.check_propose_document(lead, library.access_document(lead, document.id))
    # The original stays private to the project.
    with pytest.raises(NotFound):
        library.access_document(moderator, document.id)


def test_the_tab_costs_a_constant_number_of_queries(app, client, lead, teammate,
                                                    open_project):
    for n in range(2):
        submit(lead, open_project, f"publie-{n}.md", title=f"Publié {n}")
        submit(teammate, open_project, f"attente-{n}.md", title=f"En attente {n}")
    login(client, lead)
    url = f"/projets/{open_project.id}/documents"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(2, 6):
        submit(lead, open_project, f"publie-{n}.md", title=f"Publié {n}")
        submit(teammate, open_project, f"attente-{n}.md", title=f"En attente {n}")
    client.get(url)  # the same warm session as the first measure
    with assert_query_count(few.count):
        assert client.get(url).status_code == 200


# Pages -------------------------------------------------------------------------------------

def _upload(client, project, files, headers=None, **fields):
    data = {"title": "", "document_type": "etude", "language": "fr",
            "licence": "tous-droits", **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/projets/{project.id}/documents", data=data,
                       content_type="multipart/form-data", headers=headers or {})


def test_upload_form_then_the_lead_publishes_from_the_tab(app, client, lead, teammate,
                                                          open_project):
    login(client, teammate)
    page = client.get(f"/projets/{open_project.id}/documents").get_data(as_text=True)
    assert "data-library-upload" in page and "js/library." in page
    response = _upload(client, open_project, [("plan.md", b"# Plan d'action")],
                       title="Plan d'action 2025")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "dès qu&#39;un·e porteur·se du projet l&#39;aura validé" in page
    assert "Vos documents en attente" in page and "Plan d&#39;action 2025" in page

    client.post("/deconnexion")
    login(client, lead)
    page = client.get(f"/projets/{open_project.id}/documents").get_data(as_text=True)
    [item] = library.pending(lead, "project", open_project.id)
    assert f'data-document-id="{item.document.id}"' in page
    response = client.post(
        f"/projets/{open_project.id}/documents/{item.document.id}/decision",
        data={"action": "approve"})
    assert response.status_code == 302 and response.location.endswith("#a-valider")
    assert library.access_document(lead, item.document.id).state == "published"
    page = client.get(f"/projets/{open_project.id}/documents?q=plan").get_data(as_text=True)
    assert "1 document" in page and "Plan d&#39;action 2025" in page


def test_upload_answers_the_librarys_script_in_json(app, client, teammate, open_project):
    login(client, teammate)
    response = _upload(client, open_project, [("a.md", b"Un texte")],
                       headers={"Accept": "application/json"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["ok"] and body["next"] == f"/projets/{open_project.id}/documents"
    assert body["documents"][0]["url"].startswith("/bibliotheque/documents/")
    bad = _upload(client, open_project, [("virus.exe", b"MZ\x90\x00\x03" + bytes(200))],
                  headers={"Accept": "application/json"})
    assert bad.status_code == 400
    assert bad.get_json()["field"] == "files" and "type accepté" in bad.get_json()["message"]


def test_a_bad_upload_keeps_what_was_typed(app, client, teammate, open_project):
    login(client, teammate)
    response = _upload(client, open_project, [("vide.md", b"")], title="Mon beau titre",
                       summary="Un résumé soigné")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "est vide" in page
    assert 'value="Mon beau titre"' in page and "Un résumé soigné" in page
    response = _upload(client, open_project, [("ok.md", b"Texte")], document_type="")
    assert response.status_code == 400
    assert "Choisissez le type de document" in response.get_data(as_text=True)
    assert "Joignez à nouveau vos fichiers" in response.get_data(as_text=True)


def test_outsiders_cannot_upload_decide_or_propose(app, client, lead, teammate, outsider,
                                                   open_project, private_project):
    opened = submit(teammate, open_project)
    hidden = submit(teammate, private_project)
    login(client, outsider)
    for project, document, expected in ((open_project, opened, 403),
                                        (private_project, hidden, 404)):
        base = f"/projets/{project.id}/documents"
        assert _upload(client, project, [("x.md", b"Intrus")]).status_code == expected
        assert client.post(f"{base}/{document.id}/decision",
                           data={"action": "approve"}).status_code == 404
        assert client.post(f"{base}/proposer-au-reseau",
                           data={"document_id": document.id}).status_code == 404
    assert library.access_document(lead, opened.id).state == "pending"
    assert client.get(f"/projets/{private_project.id}/documents").status_code == 404
    assert client.get(f"/projets/{open_project.id}/documents").status_code == 200


def test_propose_from_the_tab(app, client, lead, open_project):
    document = submit(lead, open_project, title="Kit d'animation")
    login(client, lead)
    page = client.get(f"/projets/{open_project.id}/documents").get_data(as_text=True)
    assert "Proposer à la bibliothèque du réseau" in page
    response = client.post(f"/projets/{open_project.id}/documents/proposer-au-reseau",
                           data={"document_id": document.id}, follow_redirects=True)
    assert "est proposé à la bibliothèque du réseau" in response.get_data(as_text=True)
    again = client.post(f"/projets/{open_project.id}/documents/proposer-au-reseau",
                        data={"document_id": document.id}, follow_redirects=True)
    assert "déjà été proposé" in again.get_data(as_text=True)
