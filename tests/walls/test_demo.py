"""The demo walls (`flask seed demo`)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.notifications.models import Notification
from app.walls.models import Comment, Post, Reaction, Wall
from tests.conftest import login


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def test_demo_walls_posts_and_questions(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    # The network's walls and their posts; project spaces' walls are the projects' demo.
    walls = db.session.scalars(select(Wall).where(Wall.owner_type.is_(None))
                               .order_by(Wall.id)).all()
    assert walls[0].is_general and 4 <= len(walls) - 1 <= 5
    posts = db.session.scalars(select(Post).where(
        Post.wall_id.in_([w.id for w in walls]))).all()
    assert 18 <= len(posts) <= 25
    questions = [p for p in posts if p.kind == "question"]
    assert len(questions) == 3
    assert len([q for q in questions if q.accepted_comment_id]) == 1
    [announcement] = [p for p in posts if p.kind == "announcement"]
    assert announcement.pinned_at is not None
    assert _count(select(Comment)) >= 12 and _count(select(Reaction)) >= 15
    assert _count(select(Notification).where(Notification.kind == "mention")) >= 3
    assert any(c.parent_id for c in db.session.scalars(select(Comment)))
    # Running it again adds nothing.
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert _count(select(Post).where(Post.wall_id.in_([w.id for w in walls]))) == len(posts)
    assert _count(select(Wall).where(Wall.owner_type.is_(None))) == len(walls)
    # The pages a visitor of the demo opens first.
    login(client, "sophie.martin@demo.catalyseurs.fr", "catalyseur-demo")
    for url in ("/murs", "/murs/general", "/murs/mobilites-rurales", "/questions",
                f"/murs/messages/{questions[0].id}"):
        assert client.get(url).status_code == 200, url
    page = client.get("/murs/general").text
    assert "Épinglé" in page and "Rencontre annuelle 2026" in page
    vincent = db.session.scalar(select(User).where(User.display_name == "Vincent Morel"))
    assert f'<a href="/membres/{vincent.id}" rel="nofollow noopener">@Vincent Morel</a>' in page
    tad = next(q for q in questions if q.accepted_comment_id)
    assert "Réponse retenue" in client.get(f"/murs/messages/{tad.id}").text
