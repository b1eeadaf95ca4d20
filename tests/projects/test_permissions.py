"""Who sees what in a project space: non-member, member, lead, moderator and admin, over
every tab of an open and a private project, and the ways around the pages (search, wall
posts, documents and their downloads and previews, chat history, socket rooms, the
agenda). Leaving ends access at once."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from PIL import Image

from app.accounts.models import User
from app.agenda import services as agenda
from app.chat import services as chat
from app.db import transaction
from app.extensions import db
from app.library import services as library
from app.projects import services
from app.walls import services as walls
from tests.chat.conftest import ack, client_id, new_socket
from tests.conftest import login
from tests.factories import make_user
from tests.projects.conftest import checked, doc_data, make_project

ROLES = ("outsider", "member", "lead", "moderator", "admin")
# A private project exists for its members only: moderators and admins included.
SEES = {
    "open": {"outsider": True, "member": True, "lead": True, "moderator": True, "admin": True},
    "private": {"outsider": False, "member": True, "lead": True, "moderator": False,
                "admin": False},
}
MEMBER = {"outsider": False, "member": True, "lead": True, "moderator": False, "admin": False}


@pytest.fixture
def people(app):
    lead = make_user(name="Sophie Martin")
    return {
        "lead": lead,
        "member": make_user(name="Hélène Garnier"),
        "outsider": make_user(name="Olivier Dehors"),
        "moderator": make_user(name="Mehdi Benali", role="moderator"),
        "admin": make_user(name="Claire Dubois", role="admin"),
    }


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(out, "PNG")
    return out.getvalue()


def _space(people, visibility):
    """A project with something in every tab: a post, a chat message, a published document
    (an image, so that it has a preview), an action, a meeting."""
    lead, member = people["lead"], people["member"]
    project = make_project(lead, visibility=visibility, title=f"Coopérative {visibility}",
                           members=[member])
    with transaction():
        access = services.access_project(lead, project.id)
        wall = walls.access_wall(lead, project.wall_id)
        post = walls.check_create_post(lead, wall, body="Compte rendu du comité")
        chat.check_send(lead, project.channel_id, "Bonjour l'équipe", client_id())
        services.check_create_action(lead, access, title="Réserver la salle",
                                     owner_id=member.id)
        meeting = services.check_create_meeting(lead, access, services.MeetingData(
            title="Comité de pilotage", starts_local=datetime.now() + timedelta(days=3),
            duration_minutes=90, visio_url="https://visio.exemple.fr/comite"))
        services.check_submit_documents(lead, access, [checked("plan-du-site.png", _png())],
                                        doc_data(title="Plan cadastral du site"))
    return project, post, meeting


def _document(project):
    [document] = library.shelf(project_lead(project), "project", project.id).documents
    return document


def project_lead(project):
    return db.session.get(User, services.lead_ids(project.id)[0])


def _pages(project, post, meeting):
    base = f"/projets/{project.id}"
    document = _document(project)
    return [base, f"{base}/mur", f"{base}/chat", f"{base}/actions", f"{base}/actions/liste",
            f"{base}/reunions", f"{base}/membres", f"{base}/reunions/{meeting.id}/agenda.ics",
            f"{base}/documents", f"{base}/documents?q=cadastral",
            f"/bibliotheque/documents/{document.id}",
            f"/bibliotheque/documents/{document.id}/telecharger",
            f"/bibliotheque/versions/{document.current_version_id}/telecharger",
            f"/bibliotheque/versions/{document.current_version_id}/apercu",
            f"/murs/messages/{post.id}", f"/murs/messages/{post.id}/fragment",
            f"/murs/project-{project.id}"]


@pytest.mark.parametrize("visibility", ["open", "private"])
@pytest.mark.parametrize("role", ROLES)
def test_every_tab(app, client, people, visibility, role):
    project, post, meeting = _space(people, visibility)
    login(client, people[role])
    expected = 200 if SEES[visibility][role] else 404
    for url in _pages(project, post, meeting):
        assert client.get(url).status_code == expected, url
    # The meeting is in the agenda of the members alone, open project or not.
    event = agenda.owned_event(services.MEETING_SOURCE, meeting.id)
    assert client.get(f"/agenda/{event.id}").status_code == (200 if MEMBER[role] else 404)
    # The chat is the members' conversation, in open projects too.
    channel_page = client.get(f"/chat/{project.channel_id}")
    assert channel_page.status_code == (200 if MEMBER[role] else 404)
    # Leads alone edit the project.
    edit = client.get(f"/projets/{project.id}/modifier").status_code
    assert edit == (200 if role == "lead" else 403 if SEES[visibility][role] else 404)


@pytest.mark.parametrize("visibility", ["open", "private"])
@pytest.mark.parametrize("role", ROLES)
def test_directory_and_search(app, client, people, visibility, role):
    project, _post, _meeting = _space(people, visibility)
    login(client, people[role])
    listed = client.get("/projets/").get_data(as_text=True)
    found = client.get("/projets/?q=cooperative").get_data(as_text=True)
    assert (project.title in listed) == SEES[visibility][role]
    assert (project.title in found) == SEES[visibility][role]
    # Its documents are searched in the project only, never in the network's library.
    shelf = client.get(f"/projets/{project.id}/documents?q=cadastral")
    assert ("Plan cadastral du site" in shelf.get_data(as_text=True)) == SEES[visibility][role]
    main = client.get("/bibliotheque/?q=cadastral").get_data(as_text=True)
    assert "Plan cadastral du site" not in main


@pytest.mark.parametrize("visibility", ["open", "private"])
@pytest.mark.parametrize("role", ROLES)
def test_a_submission_is_seen_by_its_submitter_and_the_leads(app, client, people, visibility,
                                                             role):
    project = make_project(people["lead"], visibility=visibility, members=[people["member"]])
    with transaction():
        [document] = services.check_submit_documents(
            people["member"], services.access_project(people["member"], project.id),
            [checked("brouillon.md")], doc_data(title="Brouillon de convention"))
    login(client, people[role])
    sees = role in ("member", "lead") or (
        visibility == "open" and role in ("moderator", "admin"))
    for url in (f"/bibliotheque/documents/{document.id}",
                f"/bibliotheque/documents/{document.id}/telecharger"):
        assert client.get(url).status_code == (200 if sees else 404), url
    # On the tab: the member's waiting list, the queue of the leads (and, as everywhere in
    # open projects, of the network's moderators).
    tab = client.get(f"/projets/{project.id}/documents")
    assert ("Brouillon de convention" in tab.get_data(as_text=True)) == sees


@pytest.mark.parametrize("visibility", ["open", "private"])
@pytest.mark.parametrize("role", ROLES)
def test_sockets_and_chat_history(app, people, visibility, role):
    project, _post, _meeting = _space(people, visibility)
    http = app.test_client()
    login(http, people[role])
    socket = new_socket(app, http)
    sees = SEES[visibility][role]
    assert ack(socket, "project:join", {"project_id": project.id})["ok"] is sees
    assert ack(socket, "wall:join", {"wall_id": project.wall_id})["ok"] is sees
    history = ack(socket, "chat:history", {"channel_id": project.channel_id})
    assert history["ok"] is MEMBER[role]
    if MEMBER[role]:
        assert [m["body_html"] for m in history["messages"]] == ["<p>Bonjour l'équipe</p>"]
    else:
        assert history["error"] == "not_found"
    assert ack(socket, "chat:join", {"channel_id": project.channel_id})["ok"] is MEMBER[role]


@pytest.mark.parametrize("visibility", ["open", "private"])
def test_writing_needs_membership(app, client, people, visibility):
    project, _post, meeting = _space(people, visibility)
    expected = 403 if visibility == "open" else 404
    for role in ("outsider", "moderator", "admin"):
        login(client, people[role])
        base = f"/projets/{project.id}"
        assert client.post(f"{base}/actions", data={"title": "Intrus"}).status_code == expected
        assert client.post(f"{base}/reunions", data={"title": "Intrus"}).status_code == expected
        assert client.post(f"{base}/mur", data={"body": "Intrus",
                                                "kind": "discussion"}).status_code == expected
        assert client.post(f"{base}/reunions/{meeting.id}/reponse",
                           data={"answer": "yes"}).status_code == expected
        client.post("/deconnexion")


def test_unknown_and_forged_ids_are_404(app, client, people):
    project, _post, meeting = _space(people, "open")
    other = make_project(people["lead"], title="Autre projet")
    login(client, people["member"])
    assert client.get("/projets/999999").status_code == 404
    assert client.get("/projets/2147483648").status_code == 404
    # A meeting of another project is not reachable through this one.
    assert client.get(f"/projets/{other.id}/reunions/{meeting.id}/agenda.ics").status_code == 404


def _write_everywhere(lead, project, text):
    with transaction():
        chat.check_send(lead, project.channel_id, text, client_id())
        access = services.access_project(lead, project.id)
        services.check_create_action(lead, access, title=text)
        wall = walls.access_wall(lead, project.wall_id)
        walls.check_create_post(lead, wall, body=text)


def test_leaving_ends_access_at_once_with_open_sockets(app, people):
    project, _post, _meeting = _space(people, "private")
    member = people["member"]
    http = app.test_client()
    login(http, member)
    socket = new_socket(app, http)
    assert ack(socket, "project:join", {"project_id": project.id})["ok"]
    assert ack(socket, "chat:join", {"channel_id": project.channel_id})["ok"]
    assert ack(socket, "wall:join", {"wall_id": project.wall_id})["ok"]
    socket.get_received()
    _write_everywhere(people["lead"], project, "Avant le départ")
    heard = {r["name"] for r in socket.get_received()}
    assert {"chat:message", "project:action", "wall:post"} <= heard

    assert http.post(f"/projets/{project.id}/quitter").status_code == 302
    received = {r["name"]: r["args"][0] for r in socket.get_received()}
    assert received["project:membership"] == {"type": "project", "op": "left",
                                              "project_id": project.id}

    # The open socket no longer hears the channel, the project or its wall.
    _write_everywhere(people["lead"], project, "Après le départ")
    names = [r["name"] for r in socket.get_received()]
    assert "chat:message" not in names
    assert "project:action" not in names
    assert "wall:post" not in names
    # ...and everything answers as if the project did not exist.
    assert ack(socket, "project:join", {"project_id": project.id})["error"] == "not_found"
    assert ack(socket, "chat:history", {"channel_id": project.channel_id})["error"] == \
        "not_found"
    assert http.get(f"/projets/{project.id}").status_code == 404
    assert http.get(f"/murs/project-{project.id}").status_code == 404


def test_removed_member_loses_access(app, client, people):
    project, _post, _meeting = _space(people, "private")
    login(client, people["lead"])
    response = client.post(f"/projets/{project.id}/membres/{people['member'].id}/role",
                           data={"action": "remove"})
    assert response.status_code == 302
    client.post("/deconnexion")
    login(client, people["member"])
    assert client.get(f"/projets/{project.id}").status_code == 404
    assert client.get(f"/chat/{project.channel_id}").status_code == 404
    document = _document(project)
    assert client.get(f"/bibliotheque/documents/{document.id}").status_code == 404
    assert client.get(f"/bibliotheque/documents/{document.id}/telecharger").status_code == 404
