"""CODEV_RATE_LIMIT (config.py) caps how fast one member writes in a session."""

from __future__ import annotations

import pytest

from app.errors import RateLimited
from tests.codev.conftest import ack, post, socket_for, to_phase


@pytest.fixture
def app_overrides(tmp_path):
    return {"CODEV_RATE_LIMIT": "2 per minute"}


def test_contributions_follow_the_rate_limit(app, session, people):
    to_phase(people, session, 2)
    first, second = people["consultants"][:2]
    post(first, session, "question", "Depuis quand ?")
    post(first, session, "question", "Avec qui ?")
    with pytest.raises(RateLimited):
        post(first, session, "question", "Et ensuite ?")
    post(second, session, "question", "Un autre membre écrit encore")
    answer = ack(socket_for(app, first), "codev:post", {
        "session_id": session.id, "kind": "question", "body": "Encore une ?"})
    assert answer["error"] == "rate_limited" and "patientez" in answer["message"]
