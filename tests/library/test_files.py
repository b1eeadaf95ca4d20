"""Every file is judged by its content; bad input gets a clear French refusal."""

from __future__ import annotations

import pytest

from app.errors import Invalid
from app.library.files import check_library_file
from tests.library import files

LIMIT = 1024 * 1024


def refusal(name: str, content: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(Invalid) as error:
        check_library_file(name, content, limit)
    assert error.value.field == "files"
    return error.value.message


@pytest.mark.parametrize(("name", "content", "extension", "content_type"), [
    ("rapport.pdf", files.pdf("Bonjour"), "pdf", "application/pdf"),
    ("note.docx", files.docx("Bonjour"), "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("tableau.xlsx", files.xlsx("A1"), "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("slides.pptx", files.pptx("Titre"), "pptx",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("texte.odt", files.opendocument("text", "Bonjour"), "odt",
     "application/vnd.oasis.opendocument.text"),
    ("calc.ods", files.opendocument("spreadsheet", "1"), "ods",
     "application/vnd.oasis.opendocument.spreadsheet"),
    ("show.odp", files.opendocument("presentation", "x"), "odp",
     "application/vnd.oasis.opendocument.presentation"),
    ("carte.png", files.png(), "png", "image/png"),
    ("notes.txt", "Des notes accentuées : été, œuvre.".encode(), "txt", "text/plain"),
    ("lisez-moi.md", b"# Titre\n\nTexte", "md", "text/markdown"),
    ("donnees.csv", b"commune;population\nPrivas;8000\n", "csv", "text/csv"),
    ("latin1.txt", "Tiers-lieu à Privas".encode("cp1252"), "txt", "text/plain"),
])
def test_accepted_types_are_told_by_content(name, content, extension, content_type):
    checked = check_library_file(name, content, LIMIT)
    assert (checked.extension, checked.content_type) == (extension, content_type)


def test_office_formats_are_told_apart_by_structure_not_name():
    # A Word file named .xlsx is a docx; an OpenDocument text named .docx is an odt.
    assert check_library_file("faux.xlsx", files.docx("x"), LIMIT).filename == "faux.docx"
    assert check_library_file("faux.docx", files.opendocument("text", "x"),
                              LIMIT).extension == "odt"


def test_the_name_keeps_only_a_safe_display_name():
    checked = check_library_file("../../etc/passwd\x07\u202e.pdf", files.pdf("x"), LIMIT)
    assert "/" not in checked.filename and "\x07" not in checked.filename
    assert "\u202e" not in checked.filename
    assert checked.filename.endswith(".pdf")
    long = check_library_file("a" * 500 + ".pdf", files.pdf("x"), LIMIT)
    assert len(long.filename) <= 120 and long.filename.endswith(".pdf")
    windows = check_library_file("C:\\Users\\moi\\Bureau\\étude.pdf", files.pdf("x"), LIMIT)
    assert windows.filename == "étude.pdf"


def test_a_double_extension_ends_with_the_real_type():
    checked = check_library_file("rapport.pdf.exe", files.pdf("x"), LIMIT)
    assert checked.extension == "pdf" and checked.filename.endswith(".pdf")


def test_empty_and_oversized_files_are_refused_with_their_name():
    assert "« vide » est vide." in refusal("vide.pdf", b"")
    message = refusal("gros.pdf", files.pdf("x") + b"0" * 2000, limit=1000)
    assert "« gros » dépasse la taille autorisée" in message


@pytest.mark.parametrize(("name", "content"), [
    ("programme.exe", files.EXE),
    ("facture.pdf", files.EXE),          # a renamed executable
    ("outil.docx", files.ELF),
    ("page.html", files.HTML),
    ("image.svg", files.SVG),
    ("image.png", files.SVG),            # an SVG renamed as a PNG is text, not an image
    ("archive.zip", files._zip({"a.txt": "x"})),
    ("donnees.bin", bytes(range(256)) * 4),
    ("gif.gif", b"GIF89a" + b"\x00" * 50),
])
def test_other_types_are_refused(name, content):
    assert "n'est pas d'un type accepté" in refusal(name, content)


def test_a_zip_bomb_disguised_as_docx_is_refused_before_inflating():
    bomb = files.zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    assert "anormalement compressée" in refusal("rapport.docx", bomb, limit=50 * 1024 * 1024)


def test_office_files_with_macros_are_refused():
    assert "macros" in refusal("macro.docx", files.docx("x", macros=True))


def test_a_broken_zip_is_refused_not_a_crash():
    assert "n'est pas d'un type accepté" in refusal("casse.docx", b"PK\x03\x04" + b"\xff" * 100)
