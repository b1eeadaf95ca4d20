"""The project pages as a member uses them: forms that refuse bad input without losing it,
the .ics download, the cover image, the home block and the profile link."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.projects import services
from app.projects.models import JoinRequest, Project
from tests.conftest import login
from tests.helpers import assert_query_count
from tests.projects.conftest import make_project


def test_create_keeps_what_was_typed_when_refused(app, client, lead):
    login(client, lead)
    response = client.post("/projets/nouveau", data={
        "title": "", "pitch": "Une épicerie pour le bourg", "status": "idea",
        "visibility": "open"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Le titre est obligatoire." in page and "Une épicerie pour le bourg" in page


def test_create_with_cover_then_edit(app, client, lead):
    login(client, lead)
    image = io.BytesIO()
    Image.new("RGB", (800, 400), "orange").save(image, "PNG")
    image.seek(0)
    response = client.post("/projets/nouveau", data={
        "title": "Épicerie solidaire", "pitch": "Pour le bourg", "status": "active",
        "visibility": "private", "region": ["BRE"], "partners-0-name": "Mairie",
        "partners-0-kind": "collectivites", "cover": (image, "couverture.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    project = Project.query.one()
    cover = client.get(f"/projets/{project.id}/couverture")
    assert cover.status_code == 200 and cover.mimetype == "image/jpeg"
    edit = client.get(f"/projets/{project.id}/modifier").get_data(as_text=True)
    assert "Mairie" in edit
    response = client.post(f"/projets/{project.id}/modifier", data={
        "title": "Épicerie solidaire du bourg", "status": "done", "visibility": "private"})
    assert response.status_code == 302
    assert "du bourg" in client.get(f"/projets/{project.id}").get_data(as_text=True)


def test_cover_must_be_an_image(app, client, lead):
    login(client, lead)
    response = client.post("/projets/nouveau", data={
        "title": "Projet", "status": "idea", "visibility": "open",
        "cover": (io.BytesIO(b"%PDF-1.4"), "faux.png")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "pas une image lisible" in response.get_data(as_text=True)


def test_actions_and_meetings_forms(app, client, lead, teammate, open_project):
    login(client, lead)
    base = f"/projets/{open_project.id}"
    refused = client.post(f"{base}/actions", data={"title": "", "owner_id": str(teammate.id)})
    assert refused.status_code == 400
    assert client.post(f"{base}/actions", data={
        "title": "Appeler la mairie", "owner_id": str(teammate.id), "due_on": "2030-01-15",
        "status": "todo"}).status_code == 302
    assert "Appeler la mairie" in client.get(f"{base}/actions/liste").get_data(as_text=True)
    bad_date = client.post(f"{base}/reunions", data={
        "title": "Comité de pilotage", "starts_at": "demain", "duration_minutes": "60"})
    page = bad_date.get_data(as_text=True)
    assert bad_date.status_code == 400 and "Comité de pilotage" in page
    assert "Date ou heure illisible" in page
    assert client.post(f"{base}/reunions", data={
        "title": "Comité de pilotage", "starts_at": "2030-03-05T18:00",
        "duration_minutes": "60", "visio_url": "https://visio.exemple.fr/x"}
    ).status_code == 302
    page = client.get(f"{base}/reunions").get_data(as_text=True)
    assert "Comité de pilotage" in page and "18:00" in page
    ics_link = page.split('href="')[1:]
    ics = next(h.split('"')[0] for h in ics_link if h.split('"')[0].endswith(".ics"))
    response = client.get(ics)
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    assert b"BEGIN:VTIMEZONE" in response.data and b"TZID=Europe/Paris" in response.data


def test_home_block_and_profile_link(app, client, lead, teammate, outsider, private_project):
    login(client, teammate)
    assert private_project.title in client.get("/").get_data(as_text=True)
    assert private_project.title in client.get(f"/membres/{lead.id}").get_data(as_text=True)
    client.post("/deconnexion")
    login(client, outsider)
    assert private_project.title not in client.get(f"/membres/{lead.id}").get_data(as_text=True)


def test_wall_tab_posts_on_the_project_wall(app, client, lead, open_project):
    login(client, lead)
    response = client.post(f"/projets/{open_project.id}/mur",
                           data={"body": "Premier compte rendu", "kind": "discussion"})
    assert response.status_code == 302
    assert "Premier compte rendu" in client.get(
        f"/projets/{open_project.id}/mur").get_data(as_text=True)
    refused = client.post(f"/projets/{open_project.id}/mur", data={"body": "",
                                                                   "kind": "discussion"})
    assert refused.status_code == 400


@pytest.mark.parametrize("size", [1, 8])
def test_directory_page_query_count(app, client, lead, size):
    for n in range(size):
        make_project(lead, title=f"Projet {n}")
    login(client, lead)
    client.get("/projets/")
    with assert_query_count(5):
        assert client.get("/projets/?q=projet&domain=emploi").status_code == 200


def test_the_directory_pages_through_every_project(app, client, lead):
    titles = {make_project(lead, title=f"Projet n° {i}").title
              for i in range(2 * services.PAGE_SIZE + 1)}
    login(client, lead)
    seen, url = set(), "/projets/?statut="
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        seen |= set(re.findall(r"Projet n° \d+", page))
        match = re.search(r'rel="next" href="([^"]+)"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
        assert url is None or url.count("avant=") == 1
    assert seen == titles


def test_the_actions_tab_keeps_its_filters_whatever_the_query(app, client, lead,
                                                              open_project):
    login(client, lead)
    response = client.get(f"/projets/{open_project.id}/actions?project_id=999&x=1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    fragment = re.search(r'data-fragment-url="([^"]+)"', page).group(1)
    assert fragment.startswith(f"/projets/{open_project.id}/")
    assert client.get(fragment.replace("&amp;", "&")).status_code == 200


def test_partner_kinds_show_their_labels(app, client, lead):
    project = make_project(lead, title="Épicerie du bourg",
                           partners=[("Mairie de Plélan", "collectivites")])
    login(client, lead)
    page = client.get(f"/projets/{project.id}").get_data(as_text=True)
    assert "Mairie de Plélan" in page
    assert "(Collectivités territoriales / élus locaux)" in page
    assert "(collectivites)" not in page


def test_join_requests_over_http(app, lead, outsider, open_project, private_project):
    """Ask, withdraw, ask again; a lead declines then accepts; a private project has no door."""
    candidate, leader = app.test_client(), app.test_client()
    login(candidate, outsider)
    login(leader, lead)
    base = f"/projets/{open_project.id}"

    too_long = candidate.post(f"{base}/rejoindre", data={"message": "x" * 5000})
    assert too_long.status_code == 400 and "x" * 5000 in too_long.text  # kept, not lost
    assert candidate.post(f"{base}/rejoindre", data={"message": "Je travaille sur la "
                                                     "mobilité en Ardèche."}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(JoinRequest)) == 1
    assert candidate.post(f"{base}/annuler-demande").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(JoinRequest)) == 0

    candidate.post(f"{base}/rejoindre", data={"message": ""})
    request_id = db.session.scalar(select(JoinRequest.id))
    assert candidate.post(f"{base}/demandes/{request_id}",
                          data={"decision": "accept"}).status_code == 403
    assert leader.post(f"{base}/demandes/{request_id}",
                       data={"decision": "decline"}).status_code == 302
    assert services.access_project(outsider, open_project.id).membership is None

    candidate.post(f"{base}/rejoindre", data={"message": ""})
    request_id = db.session.scalar(select(JoinRequest.id))
    assert leader.post(f"{base}/demandes/{request_id}",
                       data={"decision": "accept"}).status_code == 302
    db.session.expire_all()
    assert services.access_project(outsider, open_project.id).membership is not None
    assert leader.post(f"{base}/demandes/{request_id}",
                       data={"decision": "accept"}).status_code == 404  # already decided

    assert candidate.post(f"/projets/{private_project.id}/rejoindre",
                          data={"message": ""}).status_code == 404
