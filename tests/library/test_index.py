"""The search index and the facet counters follow publication; searches are bounded; the
tables can be emptied and dropped with foreign keys enforced."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app import permissions
from app.db import transaction
from app.extensions import db
from app.library import services as library
from app.library.models import Document, FacetCount, SearchEntry, Version
from app.library.services import queries
from tests.library.support import data, publish, submit


def indexed() -> set[int]:
    return set(db.session.scalars(select(SearchEntry.document_id)))


def counters() -> dict[str, int]:
    return {f"{c.scope} {c.facet}": c.count for c in db.session.scalars(
        select(FacetCount).where(FacetCount.count > 0))}


def facet_counts(page) -> dict[str, dict[str, int]]:
    return {v: {f.code: f.count for f in values} for v, values in page.facets.items()}


def test_only_published_documents_are_indexed(member, moderator):
    pending = submit(member, "a.md", b"a", title="En attente")
    published = publish(moderator, submit(member, "b.md", b"b", title="Publié"))
    assert indexed() == {published.id}
    with transaction():
        library.check_unpublish(moderator, library.access_document(moderator, published.id),
                                "Retiré pour mise à jour.")
    assert indexed() == set()
    with transaction():
        library.check_republish(moderator, library.access_document(moderator, published.id))
    assert indexed() == {published.id}
    assert pending.id not in indexed()


def test_facet_counters_follow_publication_edits_and_withdrawal(member, moderator):
    a = publish(moderator, submit(member, "a.md", b"a", title="A", document_type="etude",
                                  year="2022", tags={"domain": ["emploi", "sante"]}))
    publish(moderator, submit(member, "b.md", b"b", title="B", document_type="etude",
                              year="2023", tags={"domain": ["emploi"]}))
    submit(member, "c.md", b"c", title="C (en attente)", tags={"domain": ["emploi"]})
    page = library.shelf(member)
    assert page.total == 2
    assert facet_counts(page)["domain"] == {"emploi": 2, "sante": 1}
    assert [(y.code, y.count) for y in page.years] == [("2023", 1), ("2022", 1)]

    with transaction():
        library.check_edit(moderator, library.access_document(moderator, a.id), data(
            title="A", document_type="methode", year="2023", tags={"domain": ["logement"]}))
    page = library.shelf(member)
    assert facet_counts(page)["domain"] == {"emploi": 1, "logement": 1}
    assert facet_counts(page)["document_type"] == {"etude": 1, "methode": 1}
    assert [(y.code, y.count) for y in page.years] == [("2023", 2)]

    with transaction():
        library.check_unpublish(moderator, library.access_document(moderator, a.id), "Doublon.")
    page = library.shelf(member)
    assert page.total == 1 and facet_counts(page)["domain"] == {"emploi": 1}

    # The counters kept step by step are what a full recount finds.
    kept = counters()
    with transaction():
        library.do_recount_facets()
    assert counters() == kept


def test_the_counters_and_a_filtered_count_agree(member, moderator):
    for n, domains in enumerate((["emploi"], ["emploi", "sante"], ["sante"], [])):
        publish(moderator, submit(member, f"{n}.md", str(n).encode(), title=f"Doc {n}",
                                  year=str(2020 + n % 2), tags={"domain": domains}))
    unfiltered = library.shelf(member)
    by_year = library.shelf(member, query=library.LibraryQuery(year=2020))
    assert unfiltered.total == 4 and by_year.total == 2
    assert facet_counts(unfiltered)["domain"] == {"emploi": 2, "sante": 2}
    assert facet_counts(by_year)["domain"] == {"emploi": 1, "sante": 1}


def test_a_search_reaches_a_bounded_set_title_matches_first(member, moderator, monkeypatch):
    monkeypatch.setattr(queries, "CANDIDATES_MAX", 3)
    in_body = [publish(moderator, submit(member, f"b{n}.md", f"Le compostage {n}".encode(),
                                         title=f"Zéro déchet {n}", summary="",
                                         tags={"domain": ["emploi"]}))
               for n in range(3)]
    in_title = publish(moderator, submit(member, "t.md", b"texte", title="Compostage partagé",
                                         summary="", tags={"domain": ["sante"]}))
    page = library.shelf(member, query=library.LibraryQuery(q="compostage"))
    assert page.more and page.total == 3
    assert page.documents[0].id == in_title.id
    assert [d.id for d in page.documents[1:]] == [in_body[2].id, in_body[1].id]
    assert facet_counts(page)["domain"] == {"emploi": 2, "sante": 1}
    by_title = library.shelf(member, query=library.LibraryQuery(q="compostage", sort="title"))
    assert [d.title for d in by_title.documents] == [
        "Compostage partagé", "Zéro déchet 1", "Zéro déchet 2"]
    few = library.shelf(member, query=library.LibraryQuery(q="partage compostage"))
    assert not few.more and [d.id for d in few.documents] == [in_title.id]


@pytest.fixture
def project_shelf(monkeypatch, member):
    """Project 7's shelf, where `member` leads and every member reads."""
    monkeypatch.setitem(permissions.OWNER_RULES, "testproject",
                        lambda user, owner_id, capability: owner_id == 7 and (
                            user.id == member.id or capability == "read"))


def test_a_search_stays_on_its_shelf(project_shelf, member, moderator):
    main = publish(moderator, submit(member, "a.md", b"Jardins partages", title="Jardins"))
    shelf_doc = publish(member, submit(member, "b.md", b"Jardins du projet",
                                       title="Jardins du projet", owner=("testproject", 7)))
    assert [d.id for d in library.shelf(member, query=library.LibraryQuery(
        q="jardin")).documents] == [main.id]
    assert [d.id for d in library.shelf(member, "testproject", 7, library.LibraryQuery(
        q="jardin")).documents] == [shelf_doc.id]
    assert library.shelf(member, "testproject", 7).total == 1
    assert library.shelf(member).total == 1


def test_documents_and_versions_can_be_deleted_and_dropped_with_foreign_keys_on(
        member, moderator):
    """Documents and versions reference each other; neither order of deletion is refused
    (the suite's teardown drops every table with foreign keys enforced)."""
    document = publish(moderator, submit(member))
    assert document.current_version_id is not None
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with transaction():
        db.session.execute(Version.__table__.delete())
    assert db.session.get(Document, document.id, populate_existing=True) \
        .current_version_id is None
    publish(moderator, submit(member, "autre.md", b"autre"))
    with transaction():
        db.session.execute(Document.__table__.delete())
    assert db.session.scalar(select(Version.id)) is None
    publish(moderator, submit(member, "encore.md", b"encore"))
    db.session.remove()
    db.drop_all()
    db.create_all()
