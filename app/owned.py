"""Rows that another feature owns: a project's wall, a project's chat channel.

Such a row has `owner_type` / `owner_id` (its owner decides who may read it, through
`permissions.OWNER_RULES`) and carries its owner's name, cut to the row's own column: the
walls and the chat create and rename theirs through these two functions, so that a new
kind of owned room (a co-development wall, say) does not copy them a third time.
"""

from __future__ import annotations

from typing import Any, TypeVar

from .errors import NotFound
from .extensions import db

Owned = TypeVar("Owned")


def _fit(model: type, name: str) -> str:
    return name[: model.__table__.c.name.type.length]


def do_create_owned(model: type[Owned], name: str, owner_type: str, owner_id: int,
                    **columns: Any) -> Owned:
    row = model(name=_fit(model, name), owner_type=owner_type, owner_id=owner_id, **columns)
    db.session.add(row)
    db.session.flush()
    return row


def do_rename_owned(model: type, row_id: int, name: str) -> None:
    """A renamed owner renames what it owns; a row nobody owns is not this function's."""
    row = db.session.get(model, row_id)
    if row is None or row.owner_type is None:
        raise NotFound()
    row.name = _fit(model, name)
