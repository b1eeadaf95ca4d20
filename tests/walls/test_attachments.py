"""Attachments: the content decides the type, sizes are bounded, downloads are private,
never sniffed, documents never rendered inline, and invisible to those who may not see
the post."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.db import transaction
from app.extensions import db
from app.walls import services
from app.walls.models import Attachment, Post
from tests.conftest import login
from tests.walls.conftest import PDF_BYTES, as_user, png_bytes


def noisy_png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(out, "PNG")
    return out.getvalue()

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(1)</script></svg>')


def _upload(client, files, body="Avec pièce jointe", wall="general"):
    data = {"kind": "discussion", "title": "", "body": body,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/murs/{wall}", data=data, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("photo.png", EXE, "« photo » n&#39;est pas d&#39;un type accepté."),
    ("page.html", HTML, "« page » n&#39;est pas d&#39;un type accepté."),
    ("dessin.svg", SVG, "« dessin » n&#39;est pas d&#39;un type accepté."),
    ("image.png", SVG, "« image » n&#39;est pas d&#39;un type accepté."),
    ("vide.pdf", b"", "« vide » est vide."),
])
def test_refused_files(as_member, general_wall, name, content, message):
    response = _upload(as_member, [(name, content)], body="Texte gardé")
    assert response.status_code == 400
    assert message in response.text
    assert "Texte gardé</textarea>" in response.text
    assert _count(Post) == 0 and _count(Attachment) == 0


class TestSizeLimit:
    @pytest.fixture
    def app_overrides(self):
        return {"ATTACHMENT_MAX_BYTES": 2048}

    def test_oversized_file_is_refused(self, as_member, general_wall):
        big = noisy_png()
        assert len(big) > 2048
        response = _upload(as_member, [("grande.png", big)])
        assert response.status_code == 400
        assert "« grande » dépasse la taille autorisée (2 Ko)." in response.text
        assert _count(Post) == 0


def test_file_names_are_shown_as_text(as_member, general_wall):
    response = _upload(as_member, [('<img src=x onerror=alert(1)>.png', EXE)])
    assert response.status_code == 400
    assert "<img src=x" not in response.text
    assert "« &lt;img src=x onerror=alert(1)&gt; » n&#39;est pas d&#39;un type accepté." \
        in response.text


def test_files_must_be_joined_again_after_another_error(as_member, general_wall):
    response = _upload(as_member, [("photo.png", png_bytes())], body="")
    assert response.status_code == 400
    assert "Joignez à nouveau vos fichiers" in response.text
    without = as_member.post("/murs/general", data={"body": "", "files": [(io.BytesIO(b""), "")]},
                             content_type="multipart/form-data")
    assert without.status_code == 400 and "Joignez à nouveau" not in without.text


def test_too_many_files(as_member, general_wall):
    files = [(f"photo{n}.png", png_bytes((8 + n, 8))) for n in range(6)]
    response = _upload(as_member, files)
    assert response.status_code == 400
    assert "5 pièces jointes au plus." in response.text
    assert _count(Post) == 0


def test_png_and_pdf_are_accepted_and_served_safely(as_member, general_wall):
    image = png_bytes()
    response = _upload(as_member, [("Plan d'accès.png", image), ("compte-rendu.pdf", PDF_BYTES)])
    assert response.status_code == 302
    png, pdf = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert (png.is_image, png.content_type, pdf.is_image, pdf.content_type) == (
        True, "image/png", False, "application/pdf")
    page = as_member.get("/murs/general").text
    assert f'<img src="/murs/pieces-jointes/{png.id}" alt="Plan d&#39;accès.png"' in page
    assert f'href="/murs/pieces-jointes/{pdf.id}" download' in page and "compte-rendu.pdf" in page

    shown = as_member.get(f"/murs/pieces-jointes/{png.id}")
    assert shown.status_code == 200 and shown.data == image
    assert shown.mimetype == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline")
    downloaded = as_member.get(f"/murs/pieces-jointes/{pdf.id}")
    assert downloaded.status_code == 200 and downloaded.data == PDF_BYTES
    assert downloaded.mimetype == "application/pdf"
    assert downloaded.headers["Content-Disposition"].startswith("attachment")
    assert "compte-rendu.pdf" in downloaded.headers["Content-Disposition"]
    for response in (shown, downloaded):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert "private" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]


def test_attachment_of_a_hidden_post_is_404_for_others(client, member, other, moderator,
                                                       general_wall):
    login(client, member)
    _upload(client, [("photo.png", png_bytes())])
    attachment = db.session.scalar(select(Attachment))
    post = db.session.scalar(select(Post))
    as_user(client, other)
    assert client.get(f"/murs/pieces-jointes/{attachment.id}").status_code == 200
    with transaction():
        services.check_hide(moderator, services.access_post(moderator, post.id), "Hors charte")
    assert client.get(f"/murs/pieces-jointes/{attachment.id}").status_code == 404
    assert client.get("/murs/pieces-jointes/999").status_code == 404
    as_user(client, member)
    assert client.get(f"/murs/pieces-jointes/{attachment.id}").status_code == 200
    client.post("/deconnexion")
    response = client.get(f"/murs/pieces-jointes/{attachment.id}")
    assert response.status_code == 302 and "/connexion" in response.location


def test_attachment_of_a_project_wall_is_404(client, member, general_wall):
    with transaction():
        owned = services.do_create_owned_wall("Projet", "project", 1)
        post = Post(wall_id=owned.id, author_id=member.id, body="Privé", body_html="<p>Privé</p>")
        db.session.add(post)
        db.session.flush()
        db.session.add(Attachment(post_id=post.id, storage_key="ab/" + "a" * 32 + ".png",
                                  filename="x.png", content_type="image/png", size=1,
                                  sha256="0" * 64, is_image=True))
    attachment = db.session.scalar(select(Attachment))
    login(client, member)
    assert client.get(f"/murs/pieces-jointes/{attachment.id}").status_code == 404
