"""Collections ("dossiers thématiques") of the main library, curated by its moderators:
creating them, ordering them, filing published documents in them.

(Named for the activity: a `collections` module would shadow the `collections()` listing
the package re-exports.)
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import User
from ...errors import Invalid, NotFound
from ...extensions import db
from ...moderation.log import do_log
from ...permissions import require
from ...text import fold
from ..models import Collection, CollectionItem, Document
from .validation import clean_line

COLLECTION_TITLE_MAX = 150
COLLECTION_DESCRIPTION_MAX = 2000


def _slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60] or "dossier"


def check_create_collection(actor: User, title: str, description: str = "") -> Collection:
    require(actor, "library.collections.manage")
    title = clean_line(title)
    if not title:
        raise Invalid(_l("Le titre est obligatoire."), field="title")
    if len(title) > COLLECTION_TITLE_MAX:
        raise Invalid(_l("Le titre est trop long."), field="title")
    description = (description or "").strip()
    if len(description) > COLLECTION_DESCRIPTION_MAX:
        raise Invalid(_l("La description est trop longue."), field="description")
    return do_create_collection(actor, title, description)


def do_create_collection(actor: User, title: str, description: str) -> Collection:
    """A collection at the end of the list, with a free slug made from its title."""
    base = slug = _slugify(title)
    n = 2
    while db.session.scalar(select(Collection.id).where(Collection.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    position = (db.session.scalar(select(func.max(Collection.position))) or 0) + 1
    collection = Collection(slug=slug, title=title, description=description,
                            position=position, created_by_id=actor.id)
    db.session.add(collection)
    db.session.flush()
    do_log(actor, "collection.create", "collection", collection.id, title=title)
    return collection


def check_move_collection(actor: User, collection: Collection, offset: int) -> None:
    require(actor, "library.collections.manage")
    ordered = list(db.session.scalars(select(Collection).order_by(Collection.position,
                                                                  Collection.id)))
    do_reorder(ordered, collection, offset)


def do_reorder(ordered: list, item: object, offset: int) -> None:
    """Move `item` by `offset` places in `ordered` (collections, or the items of one) and
    number them all again."""
    index = ordered.index(item)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, each in enumerate(ordered):
        each.position = position


def check_add_to_collection(actor: User, collection: Collection, document: Document) -> None:
    require(actor, "library.collections.manage")
    if document.owner_type is not None or document.state != "published":
        raise Invalid(_l("Seuls les documents publiés de la bibliothèque du réseau peuvent "
                         "entrer dans un dossier."))
    if db.session.scalar(select(CollectionItem.id).where(
            CollectionItem.collection_id == collection.id,
            CollectionItem.document_id == document.id)):
        raise Invalid(_l("Ce document est déjà dans ce dossier."))
    do_add_to_collection(actor, collection, document)


def do_add_to_collection(actor: User, collection: Collection, document: Document) -> None:
    position = (db.session.scalar(select(func.max(CollectionItem.position)).where(
        CollectionItem.collection_id == collection.id)) or 0) + 1
    db.session.add(CollectionItem(collection_id=collection.id, document_id=document.id,
                                  position=position))
    do_log(actor, "collection.add", "collection", collection.id, document=document.id)


def check_remove_from_collection(actor: User, collection: Collection,
                                 document_id: int) -> None:
    require(actor, "library.collections.manage")
    item = db.session.scalar(select(CollectionItem).where(
        CollectionItem.collection_id == collection.id,
        CollectionItem.document_id == document_id))
    if item is None:
        raise NotFound()
    do_remove_from_collection(actor, item)


def do_remove_from_collection(actor: User, item: CollectionItem) -> None:
    collection_id, document_id = item.collection_id, item.document_id
    db.session.delete(item)
    do_log(actor, "collection.remove", "collection", collection_id, document=document_id)


def check_move_in_collection(actor: User, collection: Collection, document_id: int,
                             offset: int) -> None:
    require(actor, "library.collections.manage")
    ordered = list(db.session.scalars(select(CollectionItem).where(
        CollectionItem.collection_id == collection.id).order_by(CollectionItem.position,
                                                                CollectionItem.id)))
    item = next((i for i in ordered if i.document_id == document_id), None)
    if item is None:
        raise NotFound()
    do_reorder(ordered, item, offset)
