"""The library over HTTP: pages, uploads (with and without the script), files served inertly."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.db import transaction
from app.extensions import db
from app.library import services as library
from app.library.models import Document, Version
from tests.conftest import login
from tests.library import files
from tests.library.support import publish, submit

JSON = {"Accept": "application/json"}


def form(**values):
    base = {"title": "Kit d'autodiagnostic", "document_type": "outil", "language": "fr",
            "licence": "cc-by", "summary": "Pour faire le point.", "year": "2024",
            "keywords": "diagnostic, territoire", "domain": ["emploi"]}
    return {**base, **values}


def upload(name: str, content: bytes):
    return (io.BytesIO(content), name)


def test_library_pages_render(as_member, member, moderator):
    doc = publish(moderator, submit(member, tags={"domain": ["emploi"]}))
    for url in ("/bibliotheque/", "/bibliotheque/?q=tiers&domain=emploi&tri=title",
                "/bibliotheque/proposer", "/bibliotheque/mes-propositions",
                f"/bibliotheque/documents/{doc.id}", f"/bibliotheque/documents/{doc.id}?x=1"):
        response = as_member.get(url)
        assert response.status_code == 200, url
    page = as_member.get("/bibliotheque/?q=tiers-lieux").get_data(as_text=True)
    assert doc.title in page and "1 document" in page


def test_submitting_without_script_posts_every_file(as_member, member):
    response = as_member.post("/bibliotheque/proposer", data=form(
        files=[upload("a.pdf", files.pdf("un")), upload("b.md", b"deux")]),
        content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/mes-propositions")
    assert db.session.scalar(select(db.func.count()).select_from(Document)) == 2
    mine = as_member.get("/bibliotheque/mes-propositions").get_data(as_text=True)
    assert "En attente" in mine


def test_a_bad_file_without_script_keeps_what_was_typed(as_member):
    response = as_member.post("/bibliotheque/proposer", data=form(
        title="Mon titre soigné", files=[upload("virus.pdf", files.EXE)]),
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "« virus » n&#39;est pas d&#39;un type accepté" in page
    assert 'value="Mon titre soigné"' in page and "Pour faire le point." in page
    assert db.session.scalar(select(Document.id)) is None


def test_the_upload_script_gets_json_per_file(as_member):
    ok = as_member.post("/bibliotheque/proposer", headers=JSON, data=form(
        files=[upload("etude.pdf", files.pdf("bonjour"))]), content_type="multipart/form-data")
    assert ok.status_code == 201 and ok.json["ok"]
    assert ok.json["documents"][0]["url"].startswith("/bibliotheque/documents/")
    for name, content, expected in [
        ("vide.pdf", b"", "est vide"),
        ("page.html", files.HTML, "n'est pas d'un type accepté"),
        ("image.svg", files.SVG, "n'est pas d'un type accepté"),
        ("rapport.docx", files.zip_bomb(), "anormalement compressée"),
        ("etude.pdf", files.pdf("bonjour"), "déjà dans la bibliothèque"),
    ]:
        response = as_member.post("/bibliotheque/proposer", headers=JSON, data=form(
            files=[upload(name, content)]), content_type="multipart/form-data")
        assert response.status_code == 400, name
        assert response.json["field"] == "files" and expected in response.json["message"], name
    bad_meta = as_member.post("/bibliotheque/proposer", headers=JSON, data=form(
        document_type="", files=[upload("x.md", b"x")]), content_type="multipart/form-data")
    assert bad_meta.status_code == 400 and bad_meta.json["field"] == "document_type"


@pytest.mark.parametrize("app_overrides", [{"LIBRARY_MAX_BYTES": 2000}])
def test_a_file_over_the_limit_is_refused(as_member, app_overrides):
    response = as_member.post("/bibliotheque/proposer", headers=JSON, data=form(
        files=[upload("gros.pdf", files.pdf("x") + b"%" * 5000)]),
        content_type="multipart/form-data")
    assert response.status_code == 400 and "dépasse la taille autorisée" in \
        response.json["message"]


def test_downloads_are_attachments_never_sniffed_and_counted(client, member, moderator):
    doc = publish(moderator, submit(member, "notes.txt", files.HTML.replace(b"<!doctype", b"x")))
    login(client, member)
    response = client.get(f"/bibliotheque/documents/{doc.id}/telecharger")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    assert db.session.get(Document, doc.id).download_count == 1


def test_preview_only_for_pdf_and_images_and_sandboxed(as_member, member, moderator):
    pdf_doc = publish(moderator, submit(member, "a.pdf", files.pdf("x")))
    md_doc = publish(moderator, submit(member, "b.md", b"# x"))
    pdf_version = db.session.scalar(select(Version.id).where(Version.document_id == pdf_doc.id))
    md_version = db.session.scalar(select(Version.id).where(Version.document_id == md_doc.id))
    response = as_member.get(f"/bibliotheque/versions/{pdf_version}/apercu")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert as_member.get(f"/bibliotheque/versions/{md_version}/apercu").status_code == 404


def test_anything_unpublished_is_404_to_other_members(client, member, other, moderator):
    pending = submit(member, "a.md", b"a")
    version = db.session.scalar(select(Version.id).where(Version.document_id == pending.id))
    login(client, other)
    for url in (f"/bibliotheque/documents/{pending.id}",
                f"/bibliotheque/documents/{pending.id}/telecharger",
                f"/bibliotheque/versions/{version}/telecharger",
                f"/bibliotheque/versions/{version}/apercu",
                f"/bibliotheque/documents/{pending.id}/modifier",
                "/bibliotheque/documents/999999/telecharger",
                "/bibliotheque/versions/99999999999/telecharger"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/bibliotheque/documents/{pending.id}/decision",
                       data={"action": "approve"}).status_code == 404
    assert client.get("/bibliotheque/a-valider").status_code == 403
    assert client.get("/bibliotheque/?q=a").status_code == 200


def test_moderators_decide_from_the_queue(client, member, moderator):
    doc = submit(member, "a.md", b"a", title="À valider")
    login(client, moderator)
    queue = client.get("/bibliotheque/a-valider").get_data(as_text=True)
    assert "À valider" in queue
    response = client.post(f"/bibliotheque/documents/{doc.id}/decision",
                           data={"action": "changes", "message": ""})
    assert response.status_code == 302
    assert db.session.get(Document, doc.id).state == "pending"
    client.post(f"/bibliotheque/documents/{doc.id}/decision",
                data={"action": "approve", "next": "/bibliotheque/a-valider"})
    assert db.session.get(Document, doc.id).state == "published"


def test_new_version_and_comments_over_http(as_member, member, moderator):
    doc = publish(moderator, submit(member, "v1.md", b"un"))
    response = as_member.post(f"/bibliotheque/documents/{doc.id}/versions", data={
        "file": upload("v2.md", b"deux"), "change_note": ""},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Dites en une phrase" in response.get_data(as_text=True)
    response = as_member.post(f"/bibliotheque/documents/{doc.id}/versions", data={
        "file": upload("v2.md", b"deux"), "change_note": "Mise à jour"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert as_member.post(f"/bibliotheque/documents/{doc.id}/commentaires",
                          data={"body": ""}).status_code == 400
    response = as_member.post(f"/bibliotheque/documents/{doc.id}/commentaires",
                              data={"body": "Très utile, **merci** <script>x</script>"})
    assert response.status_code == 302
    page = as_member.get(f"/bibliotheque/documents/{doc.id}").get_data(as_text=True)
    assert "<strong>merci</strong>" in page and "<script>x" not in page
    assert "Version 2" in page and "En attente" in page


def test_a_search_beyond_its_bound_says_so(as_member, member, moderator, monkeypatch):
    monkeypatch.setattr("app.library.services.queries.CANDIDATES_MAX", 2)
    for n in range(3):
        publish(moderator, submit(member, f"{n}.md", f"Ressourcerie {n}".encode(),
                                  title=f"Ressourcerie {n}"))
    page = as_member.get("/bibliotheque/?q=ressourceries").get_data(as_text=True)
    assert "Plus de 2 documents" in page and "Voici les 2 plus pertinents" in page
    page = as_member.get("/bibliotheque/").get_data(as_text=True)
    assert "3 documents" in page and "plus pertinents" not in page


def test_a_moderator_arranges_a_collection_from_its_page(app, member, moderator):
    first = publish(moderator, submit(member, "a.md", b"a", title="Premier"))
    second = publish(moderator, submit(member, "b.md", b"b", title="Second"))
    with transaction():
        collection = library.check_create_collection(moderator, "Vieillir chez soi")
        for document in (first, second):
            library.check_add_to_collection(moderator, collection, document)
    url = f"/bibliotheque/dossiers/{collection.slug}"

    def order():
        page = client.get(url).text
        return sorted(("Premier", "Second"), key=page.index)

    reader, client = app.test_client(), app.test_client()
    login(reader, member)
    login(client, moderator)
    assert "Retirer du dossier" not in reader.get(url).text  # readers only read
    assert reader.post(f"/bibliotheque/dossiers/{collection.id}/documents/{second.id}/deplacer",
                       data={"sens": "haut"}).status_code == 403
    assert "Retirer du dossier" in client.get(url).text
    assert order() == ["Premier", "Second"]
    client.post(f"/bibliotheque/dossiers/{collection.id}/documents/{second.id}/deplacer",
                data={"sens": "haut"})
    assert order() == ["Second", "Premier"]
    client.post(f"/bibliotheque/dossiers/{collection.id}/documents/{second.id}/retirer")
    assert "Second" not in client.get(url).text
    assert library.access_document(member, second.id).state == "published"  # still there
