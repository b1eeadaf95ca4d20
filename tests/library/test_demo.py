from __future__ import annotations

from sqlalchemy import func, select

from app.db import transaction
from app.demo import load_demo
from app.extensions import db
from app.library import services as library
from app.library.demo import DOCUMENTS, load_demo_library
from app.library.models import Document
from app.members.demo import load_demo_members
from app.taxonomy import TaxonomyTerm


def test_demo_library_is_realistic_and_idempotent(app, member):
    """`load_demo` (flask seed demo) loads the library's demo; loading it again adds
    nothing."""
    with transaction():
        load_demo()
    with transaction():
        _accounts, _created, people = load_demo_members()
        assert load_demo_library(people) == 0
    titles = [title for _name, _file, _content, title, *_rest in DOCUMENTS]
    states = dict(db.session.execute(
        select(Document.state, func.count()).where(Document.title.in_(titles))
        .group_by(Document.state)).all())
    assert states == {"published": 3, "pending": 1, "changes": 1}
    page = library.shelf(member)
    assert page.total >= 3 and {d.title for d in page.documents} >= set(titles[:3])
    domains = {f.code for f in page.facets["domain"]}
    assert "vieillissement" in domains and db.session.scalar(select(TaxonomyTerm.id).where(
        TaxonomyTerm.code == "vieillissement"))
