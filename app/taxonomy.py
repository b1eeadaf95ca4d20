"""The network's vocabularies (regions, fragility domains, SDGs, profiles, trades...).

The reference is ../shared/taxonomy.json; `flask taxonomy load` copies it into the
`taxonomy_terms` table so that profiles, projects and documents can reference terms by
foreign key and be filtered with plain joins.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from .errors import Invalid
from .extensions import db

# Vocabulary name -> path into taxonomy.json (a key, or a key and a sub-key).
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "region": ("regions",),
    "domain": ("fragility_domains", "items"),
    "sdg": ("sdgs", "items"),
    "catalyst_profile": ("catalyst_profiles", "items"),
    "scope": ("catalyst_profiles", "scope"),
    "trade": ("catalyst_trades", "items"),
    "actor_profile": ("actor_profiles", "items"),
    "territorial_level": ("territorial_levels",),
    "partnership_type": ("partnership_types",),
    "professional_situation": ("professional_situations", "items"),
    "document_type": ("document_types",),
    "codev_phase": ("codevelopment_phases", "items"),
    "codev_role": ("codevelopment_phases", "roles"),
}


class TaxonomyTerm(db.Model):
    __tablename__ = "taxonomy_terms"
    __table_args__ = (UniqueConstraint("vocabulary", "code", name="uq_taxonomy_terms_vocabulary"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<TaxonomyTerm {self.vocabulary}:{self.code}>"


@dataclass(frozen=True)
class TermSpec:
    vocabulary: str
    code: str
    label: str
    position: int
    data: dict


def read_file(path: str | Path) -> list[TermSpec]:
    """Flatten taxonomy.json into term specs; fails loudly if a vocabulary is missing."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    specs: list[TermSpec] = []
    for vocabulary, keys in VOCABULARIES.items():
        node = raw
        for key in keys:
            node = node[key]
        for position, item in enumerate(node):
            extra = {k: v for k, v in item.items() if k not in ("code", "label")}
            specs.append(
                TermSpec(vocabulary, str(item["code"]), item["label"], position, extra)
            )
    return specs


def sync_terms(specs: list[TermSpec]) -> tuple[int, int]:
    """Insert new terms and update changed labels; never deletes (rows may be referenced).

    Returns (created, updated). The caller commits.
    """
    existing = {
        (t.vocabulary, t.code): t for t in db.session.scalars(select(TaxonomyTerm))
    }
    created = updated = 0
    for spec in specs:
        term = existing.get((spec.vocabulary, spec.code))
        if term is None:
            db.session.add(
                TaxonomyTerm(
                    vocabulary=spec.vocabulary,
                    code=spec.code,
                    label=spec.label,
                    position=spec.position,
                    data=spec.data,
                )
            )
            created += 1
        elif (term.label, term.position, term.data) != (spec.label, spec.position, spec.data):
            term.label, term.position, term.data = spec.label, spec.position, spec.data
            updated += 1
    return created, updated


def terms(vocabulary: str) -> list[TaxonomyTerm]:
    """Terms of one vocabulary in the reference order."""
    if vocabulary not in VOCABULARIES:
        raise KeyError(vocabulary)
    return list(
        db.session.scalars(
            select(TaxonomyTerm)
            .where(TaxonomyTerm.vocabulary == vocabulary)
            .order_by(TaxonomyTerm.position)
        )
    )


def choices(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a form field."""
    return [(t.code, t.label) for t in terms(vocabulary)]


def check_terms(tags: dict[str, list[str]] | None, vocabularies: Iterable[str],
                message: object) -> list[TaxonomyTerm]:
    """The terms a form chose, vocabulary by vocabulary (duplicates dropped); a code that
    is not in its vocabulary is refused with `message` on that vocabulary's field."""
    terms: list[TaxonomyTerm] = []
    for vocabulary in vocabularies:
        codes = [str(code) for code in dict.fromkeys((tags or {}).get(vocabulary) or [])]
        found = by_codes(vocabulary, codes)
        if len(found) != len(codes):
            raise Invalid(message, field=vocabulary)
        terms.extend(found)
    return terms


def by_codes(vocabulary: str, codes: list[str]) -> list[TaxonomyTerm]:
    """Terms of a vocabulary matching the given codes; unknown codes are ignored."""
    if not codes:
        return []
    return list(
        db.session.scalars(
            select(TaxonomyTerm)
            .where(TaxonomyTerm.vocabulary == vocabulary, TaxonomyTerm.code.in_(codes))
            .order_by(TaxonomyTerm.position)
        )
    )
