"""Real concurrency on PostgreSQL: sending locks the channel row, so ids follow commit
order, and two sends of one client_id store one message. (SQLite serialises writers by
itself; its in-memory test database cannot run two transactions at once.)"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.chat import services
from app.chat.models import Message
from app.chat.services import messages as messages_module
from app.db import transaction
from app.extensions import db
from tests.chat.conftest import client_id


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")


def _in_thread(app, target):
    result, errors = {}, []

    def run():
        with app.app_context():
            try:
                result["value"] = target()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result, errors


def test_no_message_is_numbered_before_an_earlier_one_commits(app, postgresql, member, other,
                                                             public, monkeypatch):
    """The first sender has its id but has not committed yet. Without the channel lock a
    second sender could take a larger id and commit first: a reader catching up "after"
    that id would never see the first message. With it, the second sender waits."""
    member_id, other_id, channel_id = member.id, other.id, public.id
    db.session.commit()
    holding, release = threading.Event(), threading.Event()
    real = messages_module.do_advance_marker

    def slow_for_the_first(channel, user_id, last_read_id):
        if user_id == member_id:  # the first sender: id taken, nothing committed yet
            holding.set()
            release.wait(10)
        return real(channel, user_id, last_read_id)

    monkeypatch.setattr(messages_module, "do_advance_marker", slow_for_the_first)

    def send(user_id, body):
        def run():
            user = db.session.get(User, user_id)
            with transaction():
                sent = services.check_send(user, channel_id, body, client_id())
            return sent.message.id
        return run

    t1, r1, e1 = _in_thread(app, send(member_id, "Premier"))
    assert holding.wait(10)
    t2, r2, e2 = _in_thread(app, send(other_id, "Second"))
    t2.join(0.7)
    assert t2.is_alive(), "the second send must wait for the first one's commit"
    release.set()
    t1.join(10)
    t2.join(10)
    assert not e1 and not e2, (e1, e2)
    assert r1["value"] < r2["value"]


def test_concurrent_sends_of_one_client_id_store_one_message(app, postgresql, member, public):
    member_id, channel_id, cid = member.id, public.id, client_id()
    db.session.commit()
    start = threading.Barrier(4)

    def send():
        user = db.session.get(User, member_id)
        start.wait(10)
        with transaction():
            sent = services.check_send(user, channel_id, "Une seule fois", cid)
        return sent.message.id, sent.created

    runs = [_in_thread(app, send) for _ in range(4)]
    for thread, _result, _errors in runs:
        thread.join(20)
    assert all(not errors for _t, _r, errors in runs), [e for _t, _r, e in runs]
    results = [result["value"] for _t, result, _e in runs]
    assert len({message_id for message_id, _created in results}) == 1
    assert sorted(created for _id, created in results) == [False, False, False, True]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
