"""Writes that reach many members cost the same number of statements for 10 or 300 of them.

A chat message in a channel of the whole network, a post on a wall that everyone follows:
the statements must not grow with the audience (notifications are written in one insert,
counts read in one grouped query). Measured by comparison rather than frozen, so that an
unrelated extra statement does not make these tests lie about what they check.
"""

from __future__ import annotations

from sqlalchemy import insert, select

from app.accounts.models import User
from app.accounts.services import do_create_user
from app.chat import services as chat
from app.chat.models import ChannelMember
from app.db import transaction, utcnow
from app.extensions import db
from app.notifications.models import Notification, Subscription
from app.walls import services as walls
from tests.helpers import count_queries

SIZES = (10, 300)


def _people(n: int, prefix: str) -> list[User]:
    """Many members quickly: accounts without a password (the crowd never logs in)."""
    with transaction():
        users = [do_create_user(f"{prefix}{i}@exemple.fr", f"{prefix.title()} {i}", None)
                 for i in range(n)]
    return users


def _send_cost(author: User, size: int) -> tuple[int, int]:
    crowd = _people(size, f"salon{size}-")
    with transaction():
        channel = chat.check_create_channel(author, f"Salon de {size}", "", "public")
    with transaction():
        db.session.execute(insert(ChannelMember), [
            {"channel_id": channel.id, "user_id": user.id, "joined_at": utcnow(),
             "last_read_id": 0, "unread": 0, "muted": False, "notify_level": "all"}
            for user in crowd])
    db.session.expire_all()
    with count_queries() as counter, transaction():
        chat.check_send(author, channel.id, "Bonjour à toutes et à tous !", f"count-{size:04d}")
    told = db.session.scalar(select(db.func.count()).select_from(Notification).where(
        Notification.object_type == "chat_channel", Notification.object_id == channel.id))
    return counter.count, told


def test_a_chat_message_costs_the_same_for_10_or_300_members(app, member):
    costs = {size: _send_cost(member, size) for size in SIZES}
    # Everyone had read everything and chose "all": everyone is told, in one go.
    assert [told for _count, told in costs.values()] == list(SIZES)
    counts = [count for count, _told in costs.values()]
    assert counts[0] == counts[1], costs


def _post_cost(author: User, size: int) -> int:
    crowd = _people(size, f"mur{size}-")
    with transaction():
        wall = walls.check_create_wall(author, f"Mur de {size}", "")
    with transaction():
        db.session.execute(insert(Subscription), [
            {"user_id": user.id, "target_type": "wall", "target_id": wall.id,
             "created_at": utcnow()} for user in crowd])
    db.session.expire_all()
    with count_queries() as counter, transaction():
        walls.check_create_post(author, wall, body="Qui a déjà monté un tiers-lieu ?",
                                title=f"Question {size}", kind="question")
    return counter.count


def test_a_wall_post_costs_the_same_for_10_or_300_followers(app, moderator):
    counts = [_post_cost(moderator, size) for size in SIZES]
    assert counts[0] == counts[1], counts
