"""Files of rolled-back work: `on_rollback` in app/db.py, `storage.save` using it, and
`flask storage gc` for what a crash leaves behind anyway."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.db import on_commit, on_rollback, transaction
from app.extensions import db
from app.members.services import do_set_avatar
from app.storage import get_storage, referenced_keys
from tests.factories import make_user


def _member_with_profile(user_id: int | None = None) -> User:
    user_id = user_id or make_user().id
    return db.session.scalars(select(User).where(User.id == user_id)
                              .options(joinedload(User.profile))
                              .execution_options(populate_existing=True)).one()


class Boom(Exception):
    pass


# on_rollback -----------------------------------------------------------------------------

def test_on_rollback_runs_on_rollback_only(app):
    ran = []
    with pytest.raises(Boom), transaction():
        on_rollback(lambda: ran.append("rolled back"))
        raise Boom()
    with transaction():
        on_rollback(lambda: ran.append("committed"))
    assert ran == ["rolled back"]
    # Nothing is left over for the next transaction to run.
    with pytest.raises(Boom), transaction():
        raise Boom()
    assert ran == ["rolled back"]


def test_on_rollback_follows_savepoints(app):
    ran = []
    with transaction():
        on_rollback(lambda: ran.append("outer"))
        savepoint = db.session.begin_nested()
        on_rollback(lambda: ran.append("rolled-back savepoint"))
        savepoint.rollback()
        assert ran == ["rolled-back savepoint"]
        with db.session.begin_nested():
            on_rollback(lambda: ran.append("released savepoint"))
    # The released savepoint's callback went to the transaction, which committed.
    assert ran == ["rolled-back savepoint"]

    with pytest.raises(Boom), transaction():
        with db.session.begin_nested():
            on_rollback(lambda: ran.append("released, then outer rolled back"))
        raise Boom()
    assert ran == ["rolled-back savepoint", "released, then outer rolled back"]


def test_on_rollback_when_the_session_is_closed_without_commit(app):
    ran = []
    on_rollback(lambda: ran.append("closed"))
    db.session.remove()  # the end of a request that never committed
    assert ran == ["closed"]


def test_a_failing_callback_does_not_hide_the_error(app):
    ran = []
    with pytest.raises(Boom), transaction():
        on_rollback(lambda: ran.append("second"))
        on_rollback(lambda: 1 / 0)
        raise Boom()
    assert ran == ["second"]


def test_on_commit_and_on_rollback_together(app):
    events = []
    with pytest.raises(Boom), transaction():
        on_commit(lambda: events.append("commit"))
        on_rollback(lambda: events.append("rollback"))
        raise Boom()
    assert events == ["rollback"]


# storage.save ------------------------------------------------------------------------------

def test_file_saved_in_a_rolled_back_transaction_is_deleted(app):
    storage = get_storage()
    with pytest.raises(Boom), transaction():
        stored = storage.save(b"contenu", suffix=".txt")
        assert storage.exists(stored.key)
        raise Boom()
    assert not storage.exists(stored.key)


def test_file_saved_in_a_committed_transaction_is_kept(app):
    storage = get_storage()
    with transaction():
        stored = storage.save(b"contenu", suffix=".txt")
    assert storage.exists(stored.key)
    with pytest.raises(Boom), transaction():  # a later rollback does not touch it
        raise Boom()
    assert storage.exists(stored.key)


def test_file_saved_in_a_rolled_back_savepoint_of_a_committed_transaction(app):
    storage = get_storage()
    with transaction():
        kept = storage.save(b"garde")
        savepoint = db.session.begin_nested()
        dropped = storage.save(b"jete")
        savepoint.rollback()
    assert storage.exists(kept.key)
    assert not storage.exists(dropped.key)


def test_avatar_of_a_failed_profile_change_leaves_no_file(app, tmp_path):
    member_id = make_user().id
    upload_dir = tmp_path / "uploads"
    with pytest.raises(Boom), transaction():
        do_set_avatar(_member_with_profile(member_id), b"\x89PNG fake", ".png")
        raise Boom()
    assert [p for p in upload_dir.rglob("*") if p.is_file()] == []
    with transaction():
        do_set_avatar(_member_with_profile(member_id), b"\x89PNG fake", ".png")
    files = [p for p in upload_dir.rglob("*") if p.is_file()]
    assert len(files) == 1
    assert files[0].relative_to(upload_dir).as_posix() in referenced_keys()


# flask storage gc ------------------------------------------------------------------------

def _age(path, hours: float) -> None:
    past = time.time() - hours * 3600
    os.utime(path, (past, past))


@pytest.fixture
def files(app, tmp_path):
    """An old orphan, a young orphan, an old referenced file, a crash's leftover .part."""
    storage = get_storage()
    member = _member_with_profile()
    with transaction():
        orphan_old = storage.save(b"old orphan")
        orphan_young = storage.save(b"young orphan")
        do_set_avatar(member, b"avatar", ".png")
    (avatar_key,) = referenced_keys()
    part = storage.path(orphan_old.key).parent / "leftover.part"
    part.write_bytes(b"half")
    for key in (orphan_old.key, avatar_key):
        _age(storage.path(key), 48)
    _age(part, 30)
    return {"old": orphan_old.key, "young": orphan_young.key, "avatar": avatar_key,
            "part": part.relative_to(tmp_path / "uploads").as_posix()}


def test_gc_lists_old_unreferenced_files_without_deleting(app, files):
    result = app.test_cli_runner().invoke(args=["storage", "gc"])
    assert result.exit_code == 0, result.output
    assert f"orphelin {files['old']}" in result.output
    assert f"orphelin {files['part']}" in result.output
    assert files["young"] not in result.output
    assert files["avatar"] not in result.output
    assert "Fichiers orphelins trouvés : 2 (14 octets)." in result.output
    storage = get_storage()
    assert storage.exists(files["old"])


def test_gc_delete_removes_only_orphans_past_the_threshold(app, files):
    storage = get_storage()
    result = app.test_cli_runner().invoke(
        args=["storage", "gc", "--older-than-hours", "36", "--delete"])
    assert result.exit_code == 0, result.output
    assert f"supprimé {files['old']}" in result.output
    assert "Fichiers orphelins supprimés : 1" in result.output
    assert not storage.exists(files["old"])
    assert (storage.root / files["part"]).exists()  # 30 hours old: under the threshold
    assert storage.exists(files["young"]) and storage.exists(files["avatar"])

    result = app.test_cli_runner().invoke(
        args=["storage", "gc", "--older-than-hours", "0", "--delete"])
    assert result.exit_code == 0, result.output
    assert not storage.exists(files["young"])
    assert not (storage.root / files["part"]).exists()
    assert storage.exists(files["avatar"])


def test_gc_sees_every_column_that_holds_a_key(app):
    from app.storage import KEY_COLUMNS

    found = {(table.name, column.name) for table in db.metadata.sorted_tables
             for column in table.columns if column.name in KEY_COLUMNS}
    assert {("profiles", "avatar_key"), ("projects", "cover_key"),
            ("attachments", "storage_key"), ("library_versions", "storage_key")} <= found
    # No other column looks like a storage key without being counted.
    lookalikes = {(table.name, column.name) for table in db.metadata.sorted_tables
                  for column in table.columns
                  if column.name.endswith("_key") and column.name not in KEY_COLUMNS}
    assert lookalikes <= {("chat_channels", "direct_key")}, lookalikes


def test_gc_refuses_a_negative_threshold_and_copes_without_upload_dir(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["storage", "gc", "--older-than-hours", "-1"]).exit_code == 2
    result = runner.invoke(args=["storage", "gc"])
    assert result.exit_code == 0
    assert "Fichiers orphelins trouvés : 0 (0 octets)." in result.output
