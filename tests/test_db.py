"""`on_commit`: callbacks leave after the outermost commit, savepoints keep their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.db import on_commit, transaction
from app.extensions import db


def test_callbacks_wait_for_the_outer_commit_across_released_savepoints(app):
    ran = []
    with transaction():
        on_commit(lambda: ran.append("outer"))
        with db.session.begin_nested():
            on_commit(lambda: ran.append("savepoint"))
            with db.session.begin_nested():
                on_commit(lambda: ran.append("inner"))
        assert ran == []
    assert ran == ["outer", "savepoint", "inner"]


def test_a_rolled_back_savepoint_drops_only_its_callbacks(app):
    ran = []
    with transaction():
        on_commit(lambda: ran.append("kept"))
        savepoint = db.session.begin_nested()
        on_commit(lambda: ran.append("dropped"))
        savepoint.rollback()
        on_commit(lambda: ran.append("after"))
    assert ran == ["kept", "after"]


def test_an_outer_rollback_drops_everything(app):
    ran = []
    with pytest.raises(RuntimeError), transaction():
        on_commit(lambda: ran.append("never"))
        with db.session.begin_nested():
            on_commit(lambda: ran.append("never either"))
        raise RuntimeError("boom")
    with transaction():
        pass
    assert ran == []


def test_a_callback_may_read_the_database(app, member):
    found = []
    with transaction():
        on_commit(lambda: found.append(db.session.scalar(select(User.email))))
    assert found == [member.email]
