"""Finding documents: French-aware, accent-insensitive full text, facets, collections."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.db import transaction
from app.errors import PermissionDenied
from app.extensions import db
from app.library import fts
from app.library import services as library
from app.library.models import Version
from tests.helpers import count_queries
from tests.library import files
from tests.library.support import publish, submit


def titles(user, **query) -> list[str]:
    return [d.title for d in library.shelf(user, query=library.LibraryQuery(**query)).documents]


def test_stems_meet_across_accents_plurals_and_ligatures():
    assert fts.query_terms("Territoires économiques") == fts.query_terms("territoire economique")
    assert fts.query_terms("emplois") == fts.query_terms("Emploi")
    assert fts.query_terms("œuvre") == fts.query_terms("oeuvres")
    assert fts.query_terms("les tiers-lieux de la santé") == fts.query_terms("tiers lieu santé")


def test_search_is_accent_insensitive_and_french_aware(member, moderator):
    publish(moderator, submit(member, "a.md", b"a", title="L'économie des territoires ruraux"))
    publish(moderator, submit(member, "b.md", b"b", title="Mobilité partagée",
                              summary="Covoiturage et transport solidaire."))
    assert titles(member, q="economie") == ["L'économie des territoires ruraux"]
    assert titles(member, q="territoire rural") == ["L'économie des territoires ruraux"]
    assert titles(member, q="TRANSPORTS solidaires") == ["Mobilité partagée"]
    assert titles(member, q="mobilites") == ["Mobilité partagée"]
    assert titles(member, q="introuvable") == []


@pytest.mark.parametrize(("name", "content", "word"), [
    ("etude.pdf", files.pdf("Les fablabs ruraux transforment les campagnes"), "fablab"),
    ("note.docx", files.docx("Une gouvernance partagée", "Les cuisines collectives"),
     "cuisine collective"),
    ("texte.odt", files.opendocument("text", "Ateliers de réparation vélo"), "reparation"),
    ("slides.pptx", files.pptx("Diagnostic", "Habitat inclusif"), "habitats inclusifs"),
    ("budget.xlsx", files.xlsx("Subvention régionale", "Mécénat"), "mecenat"),
    ("notes.txt", "Précarité énergétique des ménages".encode(), "precarite energetique"),
])
def test_words_inside_files_are_found_after_extraction(member, moderator, name, content, word):
    publish(moderator, submit(member, name, content, title="Document sans indice",
                              summary=""))
    assert titles(member, q=word) == ["Document sans indice"]


def test_members_search_only_published_documents(member, other, moderator):
    submit(member, "a.md", "Jardins partagés".encode(), title="Jardins partagés")
    assert titles(other, q="jardin") == []
    assert titles(member, q="jardin") == []  # the library lists what is published


def test_relevance_puts_title_matches_first_and_other_sorts_work(member, moderator):
    body = publish(moderator, submit(member, "a.md", b"Le mot compostage dans le texte",
                                     title="Zéro déchet", summary=""))
    title = publish(moderator, submit(member, "b.md", b"autre", title="Compostage collectif",
                                      summary=""))
    assert titles(member, q="compostage") == [title.title, body.title]
    assert titles(member, sort="title") == ["Compostage collectif", "Zéro déchet"]
    with transaction():
        library.do_record_download(body)
        library.do_record_download(body)
    assert titles(member, sort="downloads") == ["Zéro déchet", "Compostage collectif"]


def test_facets_count_and_filter(member, moderator):
    publish(moderator, submit(member, "a.md", b"a", title="A", document_type="etude",
                              year="2022", tags={"domain": ["emploi"], "region": ["OCC"]}))
    publish(moderator, submit(member, "b.md", b"b", title="B", document_type="etude",
                              year="2023", tags={"domain": ["emploi", "sante"]}))
    publish(moderator, submit(member, "c.md", b"c", title="C", document_type="methode",
                              tags={"territorial_level": ["local"]}))
    page = library.shelf(member)
    counts = {v: {f.code: f.count for f in values} for v, values in page.facets.items()}
    assert counts["document_type"] == {"etude": 2, "methode": 1}
    assert counts["domain"] == {"emploi": 2, "sante": 1}
    assert counts["region"] == {"OCC": 1} and counts["territorial_level"] == {"local": 1}
    assert [(y.code, y.count) for y in page.years] == [("2023", 1), ("2022", 1)]
    narrowed = library.shelf(member, query=library.LibraryQuery(
        terms={"domain": "emploi", "document_type": "etude", "bogus": "x"}, year=2023))
    assert [d.title for d in narrowed.documents] == ["B"]
    assert narrowed.query.terms == {"domain": "emploi", "document_type": "etude"}


def test_a_page_costs_the_same_queries_whatever_its_size(member, moderator):
    publish(moderator, submit(member, "0.md", b"0", title="Mobilité 0",
                              tags={"domain": ["mobilite"]}))
    query = library.LibraryQuery(q="mobilite", terms={"domain": "mobilite"})
    with count_queries() as small:
        library.shelf(member, query=query)
    for n in range(1, 25):
        publish(moderator, submit(member, f"{n}.md", str(n).encode(), title=f"Mobilité {n}",
                                  tags={"domain": ["mobilite"], "sdg": [str(n % 17 + 1)]},
                                  year=str(2000 + n)))
    with count_queries() as large:
        page = library.shelf(member, query=query)
    assert page.total == 25 and len(page.documents) == library.PAGE_SIZE
    assert large.count == small.count <= 8


def test_pagination_is_bounded(member, moderator):
    page = library.shelf(member, query=library.LibraryQuery(page=999))
    assert page.page == 1 and page.pages == 1


def test_related_documents_share_tags(member, moderator):
    main = publish(moderator, submit(member, "a.md", b"a", title="Principal",
                                     tags={"domain": ["emploi", "sante"]}))
    publish(moderator, submit(member, "b.md", b"b", title="Deux en commun",
                              tags={"domain": ["emploi", "sante"]}))
    publish(moderator, submit(member, "c.md", b"c", title="Un en commun",
                              tags={"domain": ["emploi"]}))
    publish(moderator, submit(member, "d.md", b"d", title="Rien", tags={"domain": ["logement"]}))
    submit(member, "e.md", b"e", title="Pas publié", tags={"domain": ["emploi"]})
    assert [d.title for d in library.related(member, main)] == ["Deux en commun",
                                                                "Un en commun"]


def test_collections_are_curated_and_ordered_by_moderators(member, moderator):
    a = publish(moderator, submit(member, "a.md", b"a", title="A"))
    b = publish(moderator, submit(member, "b.md", b"b", title="B"))
    with pytest.raises(PermissionDenied), transaction():
        library.check_create_collection(member, "Mobilités")
    with transaction():
        first = library.check_create_collection(moderator, "Mobilités rurales")
        second = library.check_create_collection(moderator, "Tiers-lieux")
        library.check_add_to_collection(moderator, first, a)
        library.check_add_to_collection(moderator, first, b)
    assert titles(member, collection="mobilites-rurales") == ["A", "B"]
    with transaction():
        library.check_move_in_collection(moderator, first, b.id, -1)
        library.check_move_collection(moderator, second, -1)
    assert titles(member, collection="mobilites-rurales") == ["B", "A"]
    assert [(c.title, n) for c, n in library.collections(member)] == [
        ("Tiers-lieux", 0), ("Mobilités rurales", 2)]
    with transaction():
        library.check_remove_from_collection(moderator, first, a.id)
    assert titles(member, collection="mobilites-rurales") == ["B"]


def test_the_migration_creates_the_same_search_index_as_the_models():
    source = (Path(__file__).parents[2] / "migrations" / "versions"
              / "a1b7c3d9e2f4_library.py").read_text()
    constants = {node.value for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    for statement in (*fts.SQLITE_CREATE, *fts.SQLITE_DROP, *fts.PG_CREATE):
        assert statement in constants, statement


@pytest.mark.parametrize(("name", "content", "word"), [
    ("tableur.ods", files.opendocument("spreadsheet", "Budget participatif"), "budget"),
    ("diapos.odp", files.opendocument("presentation", "Mobilité partagée"), "mobilite"),
])
def test_opendocument_spreadsheets_and_slides_are_read(member, moderator, name, content, word):
    publish(moderator, submit(member, name, content, title="Sans indice", summary=""))
    assert titles(member, q=word) == ["Sans indice"]


def test_a_pdf_that_cannot_be_read_is_kept_and_found_by_its_metadata(member, moderator):
    """The type check passed (it is a PDF by its header), extraction fails: the document
    stays, marked "failed", and its title and summary are still searched."""
    broken = b"%PDF-1.7\n" + b"\x00garbage" * 200
    document = publish(moderator, submit(member, "abime.pdf", broken,
                                         title="Rapport abîmé", summary="Tiers-lieux"))
    version = db.session.get(Version, document.current_version_id)
    assert version.text_state == "failed" and version.text == ""
    assert titles(member, q="tiers-lieux") == ["Rapport abîmé"]


def test_free_keywords_are_searched(member, moderator):
    publish(moderator, submit(member, "a.md", b"rien", title="Sans indice", summary="",
                              keywords="permaculture"))
    assert titles(member, q="permaculture") == ["Sans indice"]
