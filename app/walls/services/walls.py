"""Walls themselves: the network's walls created by its animators, the walls another feature
owns (a project space's), their pre-moderation setting, and what members follow on them.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import User
from ...errors import Invalid, NotFound
from ...extensions import db
from ...moderation.log import do_log
from ...notifications import services as notifications
from ...owned import do_create_owned, do_rename_owned
from ...permissions import require
from ...text import fold
from ..models import PREMODERATION, Post, Wall
from .access import access_post, access_wall, general_wall
from .validation import WALL_NAME_MAX

GENERAL_WALL = {
    "slug": "general", "name": "Mur général", "is_general": True,
    "description": "Le mur de tout le réseau : questions, partages d'expériences, annonces.",
}


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    return slug[:60] or "mur"


def check_create_wall(actor: User, name: str, description: str = "",
                      premoderation: str = "off") -> Wall:
    require(actor, "wall.create")
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(_l("Le nom est obligatoire."), field="name")
    if len(name) > WALL_NAME_MAX:
        raise Invalid(_l("Le nom est trop long."), field="name")
    if len(description or "") > 2000:
        raise Invalid(_l("La description est trop longue."), field="description")
    if premoderation not in PREMODERATION:
        raise Invalid(_l("Réglage de modération inconnu."), field="premoderation")
    return do_create_wall(actor, name, (description or "").strip(), premoderation)


def do_create_wall(actor: User, name: str, description: str, premoderation: str) -> Wall:
    """A network wall under the first free slug made from its name; its creator follows it."""
    base = slug = _slugify(name)
    n = 2
    while db.session.scalar(select(Wall.id).where(Wall.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    wall = Wall(name=name, slug=slug, description=description,
                premoderation=premoderation, created_by_id=actor.id)
    db.session.add(wall)
    db.session.flush()
    do_log(actor, "wall.create", "wall", wall.id, name=name)
    notifications.do_follow(actor, "wall", wall.id)
    return wall


def do_create_owned_wall(name: str, owner_type: str, owner_id: int) -> Wall:
    """A wall owned by another feature (a project space); its owner decides who sees it."""
    return do_create_owned(Wall, name, owner_type, owner_id, slug=f"{owner_type}-{owner_id}")


def do_rename_owned_wall(wall_id: int, name: str) -> None:
    do_rename_owned(Wall, wall_id, name)


def do_ensure_general_wall() -> Wall:
    """The network's general wall (the migration creates it; fresh test or demo databases
    made by create_all get it here)."""
    wall = general_wall()
    if wall is None:
        wall = Wall(**GENERAL_WALL, premoderation="off", position=0)
        db.session.add(wall)
        db.session.flush()
    return wall


def check_set_premoderation(actor: User, wall: Wall, premoderation: str) -> None:
    require(actor, "wall.manage", wall)
    if premoderation not in PREMODERATION:
        raise Invalid(_l("Réglage de modération inconnu."), field="premoderation")
    if premoderation != wall.premoderation:
        do_set_premoderation(actor, wall, premoderation)


def do_set_premoderation(actor: User, wall: Wall, premoderation: str) -> None:
    do_log(actor, "wall.premoderation", "wall", wall.id, old=wall.premoderation,
           new=premoderation)
    wall.premoderation = premoderation


def check_follow(actor: User, target_type: str, target_id: int, follow: bool) -> None:
    if target_type == "wall":
        access_wall(actor, target_id)
    elif target_type == "post":
        access_post(actor, target_id)
    else:
        raise NotFound()
    if follow:
        notifications.do_follow(actor, target_type, target_id)
    else:
        notifications.do_unfollow(actor, target_type, target_id)


def do_unfollow_posts(user: User, wall_id: int) -> None:
    """Stop following every post of a wall (a member leaving a private project's wall)."""
    notifications.do_unfollow_all(user, "post", select(Post.id).where(Post.wall_id == wall_id))
