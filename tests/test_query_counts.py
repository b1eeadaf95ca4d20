"""Each page costs a fixed number of SQL queries, whatever the data behind it."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.factories import make_user
from tests.helpers import assert_query_count

RICH = {"organisation": "Réseau", "region": "OCC", "catalyst_profile": "public",
        "scope": "local", "trade": ["dialogue", "lieu"], "domain": ["emploi", "sante"],
        "sdg": ["3", "17"]}


def _crowd(n: int) -> None:
    for _ in range(n):
        make_user(**RICH)


# Measured, then frozen here so that an accidental N+1 shows up as a failing count. The
# logged-in user comes from the test session's identity map, so it costs nothing here.
# Home: general wall + feed + its eager loads + newest members (page + 4 eager loads)
# + "my projects" + the "seen" update. The directory: count + page + 4 eager loads + region counts
# + 6 vocabularies for the filter form and the region table.
@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(("url", "expected"), [
    ("/", 10),
    ("/annuaire", 13),
    ("/annuaire?region=OCC&trade=dialogue&q=membre", 13),
    ("/admin/membres", 1),
])
def test_page_query_counts(app, client, admin, size, url, expected):
    _crowd(size)
    login(client, admin)
    client.get(url)
    with assert_query_count(expected):
        assert client.get(url).status_code == 200


def test_profile_page_query_count(app, client, member):
    other = make_user(**RICH)
    login(client, member)
    client.get(f"/membres/{other.id}")
    with assert_query_count(6):  # 5 + the member's projects
        assert client.get(f"/membres/{other.id}").status_code == 200
