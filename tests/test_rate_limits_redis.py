"""Rate limits stored in the real Redis, as in a multi-process deployment."""

from __future__ import annotations

import os
import uuid

import pytest

from app.extensions import limiter

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (no local Redis)")


@pytest.fixture
def app_overrides():
    return {"RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_RATE_LIMIT": "3 per minute",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}


def test_login_limit_is_shared_through_redis(app, member):
    assert "redis" in type(limiter.storage).__name__.lower()
    first, second = app.test_client(), app.test_client()
    for client in (first, second, first):
        response = client.post("/connexion", data={"email": member.email,
                                                   "password": "x" * 12})
        assert response.status_code == 200
    assert second.post("/connexion", data={"email": member.email,
                                           "password": "x" * 12}).status_code == 429
