"""Project fixtures: a lead, a member, an outsider, an open and a private project, and a
checked file for the project's documents."""

from __future__ import annotations

import itertools

import pytest

from app.db import transaction
from app.library import services as library
from app.library.files import check_library_file
from app.projects import services
from tests.factories import make_user

_n = itertools.count(1)


@pytest.fixture
def lead(app):
    return make_user(name="Sophie Martin", email="sophie@exemple.fr")


@pytest.fixture
def teammate(app):
    return make_user(name="Hélène Garnier", email="helene@exemple.fr")


@pytest.fixture
def outsider(app):
    return make_user(name="Olivier Dehors", email="olivier@exemple.fr")


def make_project(actor, *, visibility="open", title=None, members=(), **fields):
    data = services.ProjectData(title=title or f"Projet {next(_n)}",
                                pitch=fields.pop("pitch", "Une coopération de territoire"),
                                visibility=visibility, **fields)
    with transaction():
        project = services.check_create_project(actor, data)
        if members:
            access = services.access_project(actor, project.id)
            services.check_invite(actor, access, [m.id for m in members])
    return project


@pytest.fixture
def open_project(lead, teammate):
    return make_project(lead, title="Tiers-lieu de Brocéliande", members=[teammate],
                        territory="Pays de Brocéliande", tags={"region": ["BRE"],
                                                               "domain": ["emploi"]})


@pytest.fixture
def private_project(lead, teammate):
    return make_project(lead, visibility="private", title="Comité secret", members=[teammate])


def checked(name: str = "note.md", content: bytes | None = None):
    """A file as the library accepts it (its own content check)."""
    content = content if content is not None else f"Contenu de {name}".encode()
    return check_library_file(name, content, 50 * 1024 * 1024)


def doc_data(**values):
    defaults = {"title": "Diagnostic de territoire", "document_type": "etude",
                "summary": "Le diagnostic partagé avec la communauté de communes."}
    return library.DocumentData(**{**defaults, **values})
