"""Browsing and searching a shelf: full-text search, facets, sorts and pages.

Kept apart from the writes because it is the library's hot path, tuned for a bounded
number of queries per page whatever the size of the shelf (see `shelf`), and because
the project spaces show their own shelf through it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import (
    Integer,
    Row,
    Select,
    Subquery,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY

from ...accounts.models import User
from ...errors import NotFound
from ...extensions import db
from ...taxonomy import TaxonomyTerm
from .. import fts
from ..models import Collection, CollectionItem, Document, FacetCount, document_terms
from .access import MAIN, Shelf, access_shelf, document_query, shelf_clause, shelf_of, term_ids
from .validation import TAG_VOCABULARIES

PAGE_SIZE = 20
PAGE_MAX = 50  # bounded pagination: past 1,000 results, refine the search
CANDIDATES_MAX = PAGE_SIZE * PAGE_MAX  # the matches of a search a reader can reach
SEARCH_TIERS = (("title",), ("title", "meta"))  # then every field
RELATED_MAX = 5
FACET_VOCABULARIES = ("document_type", *TAG_VOCABULARIES)
SORTS = ("date", "title", "downloads", "relevance")


@dataclass
class LibraryQuery:
    q: str = ""
    sort: str = ""
    page: int = 1
    year: int | None = None
    collection: str = ""
    terms: dict[str, str] = field(default_factory=dict)  # vocabulary -> code

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.q.strip()):
            return self.sort
        return "relevance" if fts.query_terms(self.q) else "date"


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass
class LibraryPage:
    documents: list[Document]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    years: list[FacetValue]
    query: LibraryQuery
    collection: Collection | None = None
    # A search found more than it shows (CANDIDATES_MAX): `total` is then a lower bound.
    more: bool = False


def _facet_terms() -> dict[tuple[str, str], Row]:
    """(vocabulary, code) -> (id, label) of every term a facet may show, in order."""
    return {(t.vocabulary, t.code): t for t in db.session.execute(
        select(TaxonomyTerm.id, TaxonomyTerm.vocabulary, TaxonomyTerm.code, TaxonomyTerm.label)
        .where(TaxonomyTerm.vocabulary.in_(FACET_VOCABULARIES))
        .order_by(TaxonomyTerm.vocabulary, TaxonomyTerm.position))}


def shelf(actor: User, owner_type: str | None = None, owner_id: int | None = None,
          query: LibraryQuery | None = None) -> LibraryPage:
    """Published documents of a shelf, filtered, searched and sorted, with facet counts.

    A page costs a bounded number of queries whatever its size or the number of facets.
    The unfiltered shelf reads its total and facets from counters kept at each
    publication; a filtered one counts every document it lists. A search yields at most
    what a reader can reach (PAGE_MAX pages, CANDIDATES_MAX documents), the most relevant:
    the sorts, the facets and the total apply to them, and the page says when there were
    more. Scoring, counting and grouping all the matches of a word found everywhere would
    cost far more, for pages nobody reads.
    """
    shelf_ = access_shelf(actor, owner_type, owner_id)
    query = query or LibraryQuery()
    known = _facet_terms()
    filters, selected, collection = _filters(shelf_, query, known)
    query.terms = selected
    listed = [shelf_clause(shelf_), Document.state == "published", *filters]
    scope = fts.scope(shelf_.owner_type, shelf_.owner_id)
    stems = fts.query_terms(query.q)
    sort = query.effective_sort
    more = False
    if stems:
        candidates, more = _candidates(stems, scope, filters)
        total = len(candidates)
        counts = _grouped(_id_set(candidates))
    elif filters:
        counted = select(Document.id).where(*listed)
        total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        counts = _grouped(counted)
    else:
        counts = _counters(scope)
        total = counts.get(("all", 0), 0)
    pages = max(1, min(PAGE_MAX, -(-total // PAGE_SIZE)))
    page = max(1, min(query.page, pages))
    stmt = document_query().where(*listed)
    if stems and sort == "relevance":
        start = (page - 1) * PAGE_SIZE
        wanted = candidates[start:start + PAGE_SIZE]
        # Fetched by primary key, then checked: the index holds only published documents
        # of this shelf, and this makes sure of it without steering the query plan.
        by_id = {d.id: d for d in db.session.scalars(
            document_query().where(Document.id.in_(wanted)))
            if d.state == "published" and shelf_of(d) == shelf_}
        documents = [by_id[i] for i in wanted if i in by_id]
    else:
        if stems:
            stmt = stmt.where(Document.id.in_(_id_set(candidates)))
        documents = _ordered_page(stmt, sort, query, collection, page)
    facets, years = _facets(counts, known, selected, query.year)
    return LibraryPage(documents=documents, total=total, page=page, pages=pages,
                       facets=facets, years=years, query=query, collection=collection,
                       more=more)


def _filters(shelf_: Shelf, query: LibraryQuery, known: dict[tuple[str, str], Row]
             ) -> tuple[list, dict[str, str], Collection | None]:
    """The conditions of the chosen facets, year and collection; unknown codes are
    dropped (they come from URLs)."""
    conditions = []
    selected: dict[str, str] = {}
    for vocabulary, code in query.terms.items():
        term = known.get((vocabulary, code))
        if term is None:
            continue
        selected[vocabulary] = code
        if vocabulary == "document_type":
            conditions.append(Document.document_type_id == term.id)
        else:
            conditions.append(exists().where(document_terms.c.document_id == Document.id,
                                             document_terms.c.term_id == term.id))
    if query.year:
        conditions.append(Document.year == query.year)
    collection = None
    if query.collection and shelf_ == MAIN:
        collection = db.session.scalar(select(Collection).where(
            Collection.slug == query.collection))
        if collection is None:
            raise NotFound()
        conditions.append(exists().where(CollectionItem.document_id == Document.id,
                                         CollectionItem.collection_id == collection.id))
    return conditions, selected, collection


def _candidates(stems: list[str], scope: str, filters: list) -> tuple[list[int], bool]:
    """The matches a reader can reach, best first (at most CANDIDATES_MAX), and whether
    there are more.

    Up to CANDIDATES_MAX matches are all ranked by relevance (bm25, ts_rank). Beyond, the
    words are in most of the library: relevance scores hardly tell documents apart (bm25's
    IDF of such a word is nil) while costing one score, and on PostgreSQL one large value
    read, per match. The candidates are then the documents holding the words in their
    title, then in their metadata, then anywhere, the newest first, each tier read in
    index order and only as far as needed.
    """
    dialect = db.engine.dialect.name

    def first_ids(found: Subquery, limit: int, *order) -> list[int]:
        stmt = select(found.c.document_id)
        if filters:
            stmt = stmt.join(Document, Document.id == found.c.document_id).where(*filters)
        return list(db.session.execute(stmt.order_by(*order).limit(limit)).scalars().all())

    found = fts.matches(dialect, stems, scope)
    newest = first_ids(found, CANDIDATES_MAX + 1, found.c.document_id.desc())
    if len(newest) <= CANDIDATES_MAX:
        ranked = fts.matches(dialect, stems, scope, ranked=True)
        return first_ids(ranked, CANDIDATES_MAX, ranked.c.rank,
                         ranked.c.document_id.desc()), False
    candidates: dict[int, None] = {}
    for fields in SEARCH_TIERS:
        tier = fts.matches(dialect, stems, scope, fields=fields)
        # A tier holds the previous one: it may repeat all of it before anything new.
        candidates.update(dict.fromkeys(first_ids(
            tier, CANDIDATES_MAX, tier.c.document_id.desc())))
        if len(candidates) >= CANDIDATES_MAX:
            break
    else:
        candidates.update(dict.fromkeys(newest))  # the words anywhere: already read
    return list(candidates)[:CANDIDATES_MAX], True


def _id_set(ids: list[int]) -> Select:
    """A set of ids as one parameter (a JSON list on SQLite, an array on PostgreSQL):
    binding a thousand parameters costs more than the query using them."""
    if db.engine.dialect.name == "postgresql":
        return select(func.unnest(bindparam("ids", ids, type_=ARRAY(Integer))).label("id"))
    return select(literal_column("value").label("id")).select_from(
        func.json_each(json.dumps(ids)))


def _ordered_page(stmt: Select, sort: str, query: LibraryQuery,
                  collection: Collection | None, page: int) -> list[Document]:
    if sort == "title":
        stmt = stmt.order_by(func.lower(Document.title), Document.id)
    elif sort == "downloads":
        stmt = stmt.order_by(Document.download_count.desc(), Document.id.desc())
    elif collection is not None and not query.sort:
        position = select(CollectionItem.position).where(
            CollectionItem.document_id == Document.id,
            CollectionItem.collection_id == collection.id).scalar_subquery()
        stmt = stmt.order_by(position, Document.id)
    else:
        stmt = stmt.order_by(Document.published_at.desc(), Document.id.desc())
    return list(db.session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))


def _grouped(counted: Select) -> dict[tuple[str, int], int]:
    """Counts by tag, type ("term", id) and year ("year", n) of the counted documents
    (a select of their ids), in one grouped query over a set computed once."""
    ids = counted.cte("counted")
    in_set = select(ids.c.id)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for term_id, document_type_id, year, n in db.session.execute(union_all(
            select(document_terms.c.term_id, literal(None, Integer), literal(None, Integer),
                   func.count())
            .where(document_terms.c.document_id.in_(in_set))
            .group_by(document_terms.c.term_id),
            select(literal(None, Integer), Document.document_type_id, Document.year,
                   func.count())
            .where(Document.id.in_(in_set))
            .group_by(Document.document_type_id, Document.year))):
        if term_id is not None:
            counts["term", term_id] += n
            continue
        counts["term", document_type_id] += n
        if year is not None:
            counts["year", year] += n
    return counts


def _counters(scope: str) -> dict[tuple[str, int], int]:
    """The shelf's facet counters, keyed like _grouped, the total as ("all", 0)."""
    counts = {}
    for facet, n in db.session.execute(select(FacetCount.facet, FacetCount.count).where(
            FacetCount.scope == scope, FacetCount.count > 0)):
        kind, _, key = facet.partition(":")
        counts[kind, int(key or 0)] = n
    return counts


def _facets(counts: dict[tuple[str, int], int], known: dict[tuple[str, str], Row],
            selected: dict[str, str], year: int | None
            ) -> tuple[dict[str, list[FacetValue]], list[FacetValue]]:
    years = sorted((FacetValue(str(key), str(key), n, year == key)
                    for (kind, key), n in counts.items() if kind == "year"),
                   key=lambda f: f.code, reverse=True)
    facets: dict[str, list[FacetValue]] = {}
    for (vocabulary, code), term in known.items():
        n = counts.get(("term", term.id), 0)
        is_selected = selected.get(vocabulary) == code
        if n or is_selected:
            facets.setdefault(vocabulary, []).append(
                FacetValue(code, term.label, n, is_selected))
    return facets, years


def related(actor: User, document: Document, limit: int = RELATED_MAX) -> list[Document]:
    """Published documents of the same shelf sharing the most tags with this one."""
    shared = (select(document_terms.c.document_id, func.count().label("shared"))
              .where(document_terms.c.term_id.in_(term_ids(document)),
                     document_terms.c.document_id != document.id)
              .group_by(document_terms.c.document_id).subquery())
    return list(db.session.scalars(
        document_query().join(shared, shared.c.document_id == Document.id)
        .where(shelf_clause(shelf_of(document)), Document.state == "published")
        .order_by(shared.c.shared.desc(), Document.published_at.desc(), Document.id.desc())
        .limit(limit)))
