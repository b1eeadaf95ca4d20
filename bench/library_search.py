"""Library search latency: seeds 10,000 documents of realistic French text and times the
search page's service call (`library.services.shelf`: full-text match, facets, count and
one page of results) for a set of queries.

    .venv/bin/python bench/library_search.py [--documents 10000] [--runs 5]
                                             [--db postgres [--pg-url postgresql://...]]
                                             [--timeout 600]

With `--db postgres` it first runs on a PostgreSQL database it creates for the run on the
server of `--pg-url` (default: BENCH_PG_URL, else the local server) and drops afterwards;
then, always, on an embedded SQLite database in a temporary directory. No existing
database is touched. Each database gets at most --timeout seconds, seeding
included. The last line is the SQLite figure: `p50_ms=<x> p95_ms=<x>`. Target: p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from app import create_app, taxonomy  # noqa: E402
from app.accounts.services import do_create_user  # noqa: E402
from app.db import transaction  # noqa: E402
from app.extensions import db  # noqa: E402
from app.library import fts  # noqa: E402
from app.library import services as library  # noqa: E402
from app.library.models import Document, SearchEntry, document_terms  # noqa: E402
from app.taxonomy import TaxonomyTerm  # noqa: E402
from bench.servers import create_pg_database, drop_pg_database  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"

SUBJECTS = ["la mobilité solidaire", "les tiers-lieux", "l'insertion professionnelle",
            "la précarité énergétique", "l'habitat inclusif", "la santé mentale",
            "l'inclusion numérique", "les circuits courts", "la revitalisation des centres-bourgs",
            "la transition écologique", "le vieillissement", "l'accès aux droits",
            "l'économie sociale et solidaire", "les jardins partagés", "la jeunesse rurale",
            "la coopération territoriale", "l'alimentation durable", "les mobilités douces"]
KINDS = ["Étude", "Guide pratique", "Retour d'expérience", "Kit méthodologique",
         "Compte rendu", "Synthèse", "Diagnostic partagé", "Support de webinaire"]
PLACES = ["en Ardèche", "dans les Hauts-de-France", "en Occitanie", "à Roubaix",
          "en Bretagne", "dans le Grand Est", "en Nouvelle-Aquitaine", "à La Réunion",
          "en Auvergne-Rhône-Alpes", "en Normandie", "dans le Val-de-Marne", "en Corse"]
VERBS = ["accompagne", "expérimente", "mobilise", "fédère", "évalue", "documente", "finance",
         "anime", "renforce", "coordonne", "outille", "observe"]
ACTORS = ["les collectivités", "les associations locales", "les entreprises du territoire",
          "les habitants", "les fondations", "les chercheurs", "les élus", "les bailleurs",
          "les centres sociaux", "les missions locales", "les acteurs de l'emploi"]
OBJECTS = ["un diagnostic territorial", "une gouvernance partagée", "des ateliers citoyens",
           "un observatoire local", "une plateforme de covoiturage", "un fonds d'amorçage",
           "des permanences itinérantes", "un programme de formation",
           "une démarche d'évaluation", "des partenariats public-privé", "un laboratoire vivant"]
# "" is the library's first page (no words, no filter): the most visited of all.
QUERIES = ["", "mobilité", "tiers-lieux", "territoires", "insertion professionnelle",
           "precarite energetique", "habitat inclusif Bretagne", "gouvernance partagée",
           "jardins", "évaluation", "économie sociale solidaire", "observatoire", "covoiturage",
           "jeunes ruraux", "collectivités", "santé mentale", "diagnostic", "fablab",
           "circuits courts alimentation", "élus", "formation"]


def sentence(rng: random.Random) -> str:
    return (f"{rng.choice(['Ce projet', 'Le réseau', 'La démarche', 'Le collectif'])} "
            f"{rng.choice(VERBS)} {rng.choice(ACTORS)} autour de {rng.choice(SUBJECTS)} "
            f"{rng.choice(PLACES)} grâce à {rng.choice(OBJECTS)}.")


def seed(n: int) -> None:
    rng = random.Random(42)
    terms = {v: list(db.session.scalars(select(TaxonomyTerm).where(
        TaxonomyTerm.vocabulary == v))) for v in library.FACET_VOCABULARIES}
    now = datetime.now(UTC)
    documents, entries, links = [], [], []
    for i in range(1, n + 1):
        title = f"{rng.choice(KINDS)} : {rng.choice(SUBJECTS)} {rng.choice(PLACES)}"
        summary = " ".join(sentence(rng) for _ in range(3))
        body = " ".join(sentence(rng) for _ in range(rng.randint(40, 120)))
        kind = rng.choice(terms["document_type"])
        tags = {rng.choice(terms[v]).id for v in library.TAG_VOCABULARIES
                for _ in range(rng.randint(0, 2))}
        keywords = ", ".join(rng.sample(["tiers-lieu", "coopération", "évaluation",
                                         "numérique", "ruralité", "emploi"], 2))
        documents.append({
            "id": i, "state": "published", "title": title[:200], "summary": summary,
            "authors": "Réseau des catalyseurs", "year": rng.randint(2012, 2025),
            "document_type_id": kind.id, "language": "fr", "licence": "cc-by",
            "keywords": keywords, "created_at": now, "updated_at": now,
            "published_at": now - timedelta(minutes=i), "decision_note": "",
            "download_count": rng.randint(0, 300), "comment_count": 0})
        labels = " ".join(t.label for v in terms.values() for t in v if t.id in tags)
        facets = ["all", f"term:{kind.id}", f"year:{documents[-1]['year']}",
                  *(f"term:{t}" for t in tags)]
        entries.append({"document_id": i, "scope": fts.MAIN_SCOPE, "title": fts.index_text(title),
                        "meta": fts.index_text(f"{summary} {keywords} {labels} {kind.label}"),
                        "body": fts.index_text(body), "facets": " ".join(facets)})
        links.extend({"document_id": i, "term_id": t} for t in tags)
    with transaction():
        for table, rows in ((Document.__table__, documents), (SearchEntry.__table__, entries),
                            (document_terms, links)):
            for start in range(0, len(rows), 2000):
                db.session.execute(insert(table), rows[start:start + 2000])
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(fts.PG_UPDATE))
        library.do_recount_facets()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does to a live database: statistics, and the dead rows the bulk
        # vector update left behind cleared.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def measure(actor, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        for q in QUERIES:
            db.session.expunge_all()
            started = time.perf_counter()
            library.shelf(actor, query=library.LibraryQuery(q=q))
            timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    return timings


def _out_of_time(signum, frame):
    raise TimeoutError


def bounded_run(url: str, documents: int, runs: int, timeout: int) -> tuple[float, float] | None:
    """run() stopped after `timeout` seconds (seeding included); None when stopped."""
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(timeout)
    try:
        return run(url, documents, runs)
    except TimeoutError:
        print(f"  stopped: longer than {timeout} s")
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(url: str, documents: int, runs: int) -> tuple[float, float]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        with transaction():
            taxonomy.sync_terms(taxonomy.read_file(app.config["TAXONOMY_FILE"]))
            actor = do_create_user("bench@exemple.fr", "Banc d'essai", "motdepasse-solide",
                                   "member")
        started = time.perf_counter()
        seed(documents)
        print(f"  seeded {documents} documents in {time.perf_counter() - started:.1f} s")
        actor = db.session.get(type(actor), actor.id)
        measure(actor, 1)  # warm caches
        timings = sorted(measure(actor, runs))
        p50 = statistics.median(timings)
        p95 = timings[int(0.95 * (len(timings) - 1))]
        print(f"  {len(timings)} searches, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
              f"max {timings[-1]:.1f} ms")
        db.session.remove()
        db.engine.dispose()
    return p50, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite",
                        help="postgres: also run on a PostgreSQL database created for the run")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG),
                        help="PostgreSQL server for --db postgres")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds allowed to each database, seeding included")
    args = parser.parse_args()
    results = {}
    if args.db == "postgres":
        name = f"bench_library_{os.getpid()}"
        url = create_pg_database(args.pg_url, name)
        print(f"PostgreSQL ({url.rsplit('@', 1)[-1]}, created for this run):")
        try:
            results["postgresql"] = bounded_run(url, args.documents, args.runs, args.timeout)
        finally:
            drop_pg_database(args.pg_url, name)
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite (embedded default):")
        results["sqlite"] = bounded_run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                                        args.documents, args.runs, args.timeout)
    for name in ("postgresql", "sqlite"):
        if name not in results:
            continue
        prefix = "postgresql " if name == "postgresql" else ""
        if results[name] is None:
            print(f"{prefix}p50_ms=timeout p95_ms=timeout")
        else:
            p50, p95 = results[name]
            print(f"{prefix}p50_ms={p50:.1f} p95_ms={p95:.1f}")
    if results["sqlite"] is None:
        sys.exit(1)


if __name__ == "__main__":
    main()
