"""Helpers of the library tests: metadata, checked files, submit and publish."""

from __future__ import annotations

from app.db import transaction
from app.library import services as library
from app.library.files import check_library_file


def data(**values) -> library.DocumentData:
    defaults = {"title": "Guide des tiers-lieux", "document_type": "methode",
                "summary": "Une méthode pour ouvrir un tiers-lieu en milieu rural."}
    return library.DocumentData(**{**defaults, **values})


def checked(name: str, content: bytes):
    return check_library_file(name, content, 50 * 1024 * 1024)


def submit(user, name: str = "guide.md", content: bytes | None = None, owner=(None, None),
           **values):
    content = content if content is not None else f"Contenu de {name}".encode()
    with transaction():
        return library.check_submit(user, owner[0], owner[1], [checked(name, content)],
                                    data(**values))[0]


def publish(moderator, document):
    with transaction():
        library.check_approve(moderator, library.access_document(moderator, document.id))
    return library.access_document(moderator, document.id)
