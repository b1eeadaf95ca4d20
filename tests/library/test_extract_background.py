"""Extraction off the request thread: the upload commits with its text queued, the
job "library.extract" reads the file in its own application context (here the embedded
thread pool) and the search finds the word.

The other tests extract in their own thread (TestingConfig): an in-memory database is one
connection, which a background thread must not share. Here the database is a file.
"""

from __future__ import annotations

import pytest

from app import jobs
from app.extensions import db
from app.library import services as library
from app.library.models import Version
from tests.library.support import publish, submit


@pytest.fixture
def app_overrides(tmp_path):
    return {"JOBS_SYNC": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'library.db'}"}


def wait_for_extractions() -> None:
    assert jobs.local_runner().wait_idle(timeout=30)


def test_text_is_extracted_in_the_background_then_searchable(member, moderator):
    document = publish(moderator, submit(member, "notes.md", "Le compostage partagé "
                                         "au cœur du quartier.".encode(), title="Notes"))
    wait_for_extractions()
    db.session.expire_all()
    version = db.session.get(Version, document.current_version_id)
    assert version.text_state == "done" and "compostage" in version.text
    found = library.shelf(member, query=library.LibraryQuery(q="compostages"))
    assert [d.title for d in found.documents] == ["Notes"]
