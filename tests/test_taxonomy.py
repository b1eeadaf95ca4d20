"""The network's vocabularies: reading ../shared/taxonomy.json and copying it into the database."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import taxonomy
from app.db import transaction
from app.extensions import db
from app.taxonomy import TaxonomyTerm


@pytest.fixture
def specs(app):
    return taxonomy.read_file(app.config["TAXONOMY_FILE"])


def _count(specs, vocabulary):
    return sum(1 for s in specs if s.vocabulary == vocabulary)


@pytest.mark.parametrize(("vocabulary", "expected"), [
    ("region", 18),
    ("domain", 16),
    ("sdg", 17),
    ("trade", 4),
    ("catalyst_profile", 4),
    ("scope", 2),
    ("actor_profile", 10),
    ("codev_phase", 6),
])
def test_read_file_counts(specs, vocabulary, expected):
    assert _count(specs, vocabulary) == expected


def test_read_file_covers_every_vocabulary_with_string_codes(specs):
    assert {s.vocabulary for s in specs} == set(taxonomy.VOCABULARIES)
    # SDG codes are integers in the JSON; forms and URLs deal in strings.
    sdg = [s for s in specs if s.vocabulary == "sdg"]
    assert [s.code for s in sdg] == [str(n) for n in range(1, 18)]
    assert all(isinstance(s.code, str) for s in specs)
    # Codes are unique within a vocabulary (the table enforces it too).
    assert len({(s.vocabulary, s.code) for s in specs}) == len(specs)


def test_read_file_keeps_extra_data_outside_code_and_label(specs):
    overseas = {s.code for s in specs if s.vocabulary == "region" and s.data.get("overseas")}
    assert overseas == {"GUA", "MTQ", "GUF", "LRE", "MAY"}
    phases = [s for s in specs if s.vocabulary == "codev_phase"]
    assert phases[0].code == "expose"
    assert phases[0].data["minutes"] == 10
    assert "code" not in phases[0].data and "label" not in phases[0].data


def test_read_file_fails_loudly_on_missing_vocabulary(tmp_path, app):
    raw = json.loads(Path(app.config["TAXONOMY_FILE"]).read_text(encoding="utf-8"))
    del raw["sdgs"]
    broken = tmp_path / "taxonomy.json"
    broken.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(KeyError):
        taxonomy.read_file(broken)


def test_fixture_loaded_every_term(app, specs):
    assert db.session.scalar(select(func.count()).select_from(TaxonomyTerm)) == len(specs)


def test_sync_terms_is_idempotent(app, specs):
    with transaction():
        assert taxonomy.sync_terms(specs) == (0, 0)


def test_sync_terms_updates_a_changed_label(app, specs):
    changed = [dataclasses.replace(s, label="Bretagne (Breizh)")
               if (s.vocabulary, s.code) == ("region", "BRE") else s for s in specs]
    with transaction():
        assert taxonomy.sync_terms(changed) == (0, 1)
    db.session.expire_all()
    labels = dict(taxonomy.choices("region"))
    assert labels["BRE"] == "Bretagne (Breizh)"
    assert labels["OCC"] == "Occitanie"


def test_sync_terms_adds_new_terms(app, specs):
    extra = taxonomy.TermSpec("trade", "nouveau-metier", "Nouveau métier", 99, {})
    with transaction():
        assert taxonomy.sync_terms([*specs, extra]) == (1, 0)
    assert "nouveau-metier" in dict(taxonomy.choices("trade"))


def test_sync_terms_never_deletes(app, specs):
    total = db.session.scalar(select(func.count()).select_from(TaxonomyTerm))
    only_regions = [s for s in specs if s.vocabulary == "region"]
    with transaction():
        assert taxonomy.sync_terms(only_regions) == (0, 0)
    with transaction():
        assert taxonomy.sync_terms([]) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(TaxonomyTerm)) == total
    assert len(taxonomy.terms("domain")) == 16


def test_terms_are_in_reference_order(app, specs):
    regions = taxonomy.terms("region")
    assert [t.position for t in regions] == list(range(18))
    assert [t.code for t in regions] == [s.code for s in specs if s.vocabulary == "region"]
    assert [t.code for t in taxonomy.terms("codev_phase")] == [
        s.code for s in specs if s.vocabulary == "codev_phase"]


def test_terms_follow_position_not_insertion_order(app, specs):
    # Move the first trade to the end: terms() must follow the new positions.
    trades = [s for s in specs if s.vocabulary == "trade"]
    moved = {trades[0].code: len(trades)}
    reordered = [dataclasses.replace(s, position=moved[s.code]) if s.code in moved
                 and s.vocabulary == "trade" else s for s in specs]
    with transaction():
        taxonomy.sync_terms(reordered)
    codes = [t.code for t in taxonomy.terms("trade")]
    assert codes == [t.code for t in trades[1:]] + [trades[0].code]


def test_choices_are_code_label_pairs(app):
    choices = taxonomy.choices("sdg")
    assert choices[0] == ("1", "Pas de pauvreté")
    assert len(choices) == 17


def test_by_codes_ignores_unknown_codes(app):
    found = taxonomy.by_codes("region", ["OCC", "XXX", "BRE"])
    assert sorted(t.code for t in found) == ["BRE", "OCC"]
    assert taxonomy.by_codes("region", []) == []
    # Codes of one vocabulary do not leak into another ("local" is both a scope and a level).
    assert [t.vocabulary for t in taxonomy.by_codes("scope", ["local"])] == ["scope"]


@pytest.mark.parametrize("name", ["regions", "unknown", ""])
def test_unknown_vocabulary_raises_key_error(app, name):
    with pytest.raises(KeyError):
        taxonomy.terms(name)
    with pytest.raises(KeyError):
        taxonomy.choices(name)
