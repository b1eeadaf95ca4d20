"""Rows another feature owns (a project's wall and channel) are created and renamed alike."""

from __future__ import annotations

import pytest

from app.chat import services as chat
from app.db import transaction
from app.errors import NotFound
from app.walls import services as walls


def test_owned_rows_carry_their_owners_name_cut_to_their_column(app):
    name = "Projet " + "x" * 200
    with transaction():
        wall = walls.do_create_owned_wall(name, "project", 1)
        channel = chat.do_create_owned_channel(name, "project", 1)
    assert (wall.name, channel.name) == (name[:120], name[:80])
    assert (wall.owner_type, wall.owner_id, channel.kind) == ("project", 1, "owned")
    with transaction():
        walls.do_rename_owned_wall(wall.id, "Mobilité solidaire")
        chat.do_rename_owned_channel(channel.id, "Mobilité solidaire")
    assert wall.name == channel.name == "Mobilité solidaire"


def test_a_row_nobody_owns_is_not_renamed_as_owned(app):
    with transaction():
        general = walls.do_ensure_general_wall()
    with pytest.raises(NotFound):
        walls.do_rename_owned_wall(general.id, "Autre nom")
    with pytest.raises(NotFound):
        chat.do_rename_owned_channel(999, "Autre nom")
