"""The search index and its facet counters, kept in step with every write that changes
what readers may find, and the text of each version, read after the commit.

The dependency points one way: this module registers the job "library.extract"
(`do_extract_version`), which calls `extract`; extraction knows nothing of the services.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ... import jobs
from ...db import utcnow
from ...extensions import db
from ...storage import get_storage
from ...taxonomy import TaxonomyTerm
from .. import extract, fts
from ..models import Document, FacetCount, SearchEntry, Version
from .access import document_query, term_ids


def do_index(document: Document) -> None:
    """Refresh the searchable text of a published document (metadata and the text of its
    current version) and its shelf's facet counters, or take it out of both when it is
    not published: the index holds exactly what the library's readers may find."""
    db.session.flush()
    entry = db.session.get(SearchEntry, document.id)
    before = set(entry.facets.split()) if entry is not None else set()
    if document.state != "published":
        if entry is not None:
            _do_count_facets(entry.scope, before, -1)
            db.session.delete(entry)
            db.session.flush()
        return
    body = db.session.scalar(select(Version.text).where(
        Version.id == document.current_version_id)) if document.current_version_id else ""
    terms = db.session.execute(select(TaxonomyTerm.id, TaxonomyTerm.label).where(
        TaxonomyTerm.id.in_(term_ids(document)) | (TaxonomyTerm.id == document.document_type_id)
    )).all()
    meta = " ".join([document.summary, document.authors, document.keywords,
                     *(t.label for t in terms)])
    after = {"all", *(f"term:{t.id}" for t in terms)}
    if document.year is not None:
        after.add(f"year:{document.year}")
    scope = fts.scope(document.owner_type, document.owner_id)
    values = {"scope": scope, "title": fts.index_text(document.title),
              "meta": fts.index_text(meta), "body": fts.index_text(body or "", fts.BODY_MAX),
              "facets": " ".join(sorted(after))}
    if entry is None:
        db.session.add(SearchEntry(document_id=document.id, **values))
    else:
        _do_count_facets(entry.scope, before - after, -1)
        before &= after
        for key, value in values.items():
            setattr(entry, key, value)
    _do_count_facets(scope, after - before, 1)
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(fts.vector_update(document.id))


def _do_count_facets(scope: str, facets: set[str], delta: int) -> None:
    """Add delta to the counters, atomically in the database (two moderators publishing
    at once both count)."""
    if not facets:
        return
    upsert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = upsert(FacetCount).values(
        [{"scope": scope, "facet": f, "count": delta} for f in sorted(facets)])
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["scope", "facet"], set_={"count": FacetCount.count + stmt.excluded.count}))


def do_recount_facets() -> None:
    """Rebuild every facet counter from the index, after a bulk import or a repair."""
    db.session.execute(delete(FacetCount))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for scope, facets in db.session.execute(select(SearchEntry.scope, SearchEntry.facets)):
        for facet in facets.split():
            counts[scope, facet] += 1
    if counts:
        db.session.execute(insert(FacetCount), [
            {"scope": scope, "facet": facet, "count": n} for (scope, facet), n in counts.items()])


def do_extract_later(version: Version) -> None:
    """Read the new version's text once the upload has committed, off the request."""
    jobs.enqueue("library.extract", version.id)


@jobs.job("library.extract")
def do_extract_version(version_id: int) -> None:
    """Background job: read the stored file's text, then refresh the document's index."""
    version = db.session.get(Version, version_id)
    if version is None:
        return
    path = get_storage().path(version.storage_key)
    try:
        text = extract.extract_text(path, version.extension)
    except Exception:
        current_app.logger.exception("library: cannot read text of version %s", version_id)
        version.text_state, version.text = "failed", ""
    else:
        version.text = text.replace("\x00", "")
        version.text_state = "done" if text.strip() else "none"
    document = db.session.scalar(document_query().where(Document.id == version.document_id))
    do_index(document)


@jobs.recovery
def do_requeue_stuck_extractions(minutes: int) -> int:
    """Versions still `queued` after `minutes` (their job was lost: a worker killed, an
    embedded server restarted) get their extraction enqueued again; returns how many."""
    before = utcnow() - timedelta(minutes=minutes)
    ids = list(db.session.scalars(select(Version.id).where(
        Version.text_state == "queued", Version.created_at < before).order_by(Version.id)))
    for version_id in ids:
        jobs.enqueue("library.extract", version_id)
    return len(ids)
