"""What a wall, a post or the open questions look like to one reader: the views the
templates render, each page built in a fixed number of queries whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ... import taxonomy
from ...accounts.models import User
from ...errors import NotFound
from ...extensions import db
from ...mentions import link_mentions, mentioned_ids
from ...notifications import services as notifications
from ...permissions import can
from ...sanitize import render_markdown
from ..models import Comment, Post, Reaction, Revision, Wall
from .access import post_query
from .queries import revisions


@dataclass
class CommentView:
    comment: Comment
    replies: list[CommentView] = field(default_factory=list)
    reactions: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)


@dataclass
class PostView:
    post: Post
    comments: list[CommentView]
    reactions: dict[str, int]
    mine: set[str]
    following: bool = False

    @property
    def accepted(self) -> CommentView | None:
        return next((c for c in self.comments
                     if c.comment.id == self.post.accepted_comment_id), None)

    @property
    def comment_total(self) -> int:
        """Comments and replies this reader sees."""
        return sum(1 + len(thread.replies) for thread in self.comments)


@dataclass
class WallPage:
    posts: list[PostView]
    next_cursor: int | None


@dataclass
class QuestionFilters:
    domain: str = ""
    region: str = ""


@dataclass
class RevisionView:
    revision: Revision
    body_html: str


def _visible_posts_clause(actor: User):
    if can(actor, "content.moderate"):
        return Post.deleted_at.is_(None) | (Post.deleted_by_id != Post.author_id)
    return or_(
        (Post.state == "published") & Post.hidden_at.is_(None) & Post.deleted_at.is_(None),
        (Post.author_id == actor.id) & Post.deleted_at.is_(None),
    )


def _visible_comments_clause(actor: User):
    if can(actor, "content.moderate"):
        return Comment.deleted_at.is_(None) | (Comment.deleted_by_id != Comment.author_id)
    return (Comment.hidden_at.is_(None) & Comment.deleted_at.is_(None)) | (
        (Comment.author_id == actor.id) & Comment.deleted_at.is_(None))


def build_views(actor: User, posts: list[Post]) -> list[PostView]:
    """Comments, reactions and follow state for a page of posts, in a fixed number of
    queries whatever the number of posts, comments, reactions and authors."""
    if not posts:
        return []
    post_ids = [p.id for p in posts]
    comments = list(db.session.scalars(
        select(Comment).where(Comment.post_id.in_(post_ids), _visible_comments_clause(actor))
        .options(selectinload(Comment.author).selectinload(User.profile))
        .order_by(Comment.id)))
    comment_ids = [c.id for c in comments]
    targets = or_(
        (Reaction.target_type == "post") & Reaction.target_id.in_(post_ids),
        (Reaction.target_type == "comment") & Reaction.target_id.in_(comment_ids or [0]))
    counts: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for target_type, target_id, kind, n in db.session.execute(
            select(Reaction.target_type, Reaction.target_id, Reaction.kind, func.count())
            .where(targets).group_by(Reaction.target_type, Reaction.target_id, Reaction.kind)):
        counts[(target_type, target_id)][kind] = n
    mine: dict[tuple[str, int], set[str]] = defaultdict(set)
    for target_type, target_id, kind in db.session.execute(
            select(Reaction.target_type, Reaction.target_id, Reaction.kind)
            .where(targets, Reaction.user_id == actor.id)):
        mine[(target_type, target_id)].add(kind)
    followed = notifications.followed_ids(actor, "post")

    by_post: dict[int, list[CommentView]] = defaultdict(list)
    views = {c.id: CommentView(c, reactions=counts[("comment", c.id)],
                               mine=mine[("comment", c.id)]) for c in comments}
    for comment in comments:
        view = views[comment.id]
        parent = views.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.replies.append(view)
        elif comment.parent_id is None:
            by_post[comment.post_id].append(view)
    return [PostView(post=p, comments=by_post[p.id], reactions=counts[("post", p.id)],
                     mine=mine[("post", p.id)], following=p.id in followed) for p in posts]


def wall_page(actor: User, wall: Wall, before_id: int | None = None,
              limit: int = 20) -> WallPage:
    """Pinned posts first (on the first page), then newest first, by keyset on id."""
    stmt = post_query().where(Post.wall_id == wall.id, _visible_posts_clause(actor))
    pinned: list[Post] = []
    if before_id is None:
        pinned = list(db.session.scalars(
            stmt.where(Post.pinned_at.is_not(None)).order_by(Post.pinned_at.desc())))
    stmt = stmt.where(Post.pinned_at.is_(None))
    if before_id is not None:
        stmt = stmt.where(Post.id < before_id)
    posts = list(db.session.scalars(stmt.order_by(Post.id.desc()).limit(limit + 1)))
    next_cursor = posts[limit - 1].id if len(posts) > limit else None
    return WallPage(posts=build_views(actor, pinned + posts[:limit]), next_cursor=next_cursor)


def post_view(actor: User, post: Post) -> PostView:
    return build_views(actor, [post])[0]


def comment_view(actor: User, comment: Comment) -> tuple[PostView, CommentView]:
    """A comment as its post's page shows it (with its replies and reactions); a comment the
    reader may not see, or a reply under a thread they may not see, is NotFound."""
    view = post_view(actor, comment.post)
    for thread in view.comments:
        for candidate in (thread, *thread.replies):
            if candidate.comment.id == comment.id:
                return view, candidate
    raise NotFound()


def open_questions(actor: User, filters: QuestionFilters, before_id: int | None = None,
                   limit: int = 20) -> WallPage:
    """Questions without an accepted answer, newest first, filterable by domain and region."""
    stmt = post_query().join(Post.wall).where(
        Post.kind == "question", Post.accepted_comment_id.is_(None),
        Post.state == "published", Post.hidden_at.is_(None), Post.deleted_at.is_(None),
        Wall.owner_type.is_(None), Wall.archived_at.is_(None))
    for vocabulary in ("domain", "region"):
        code = getattr(filters, vocabulary)
        if code:
            stmt = stmt.where(Post.tags.any(
                (taxonomy.TaxonomyTerm.vocabulary == vocabulary)
                & (taxonomy.TaxonomyTerm.code == code)))
    if before_id is not None:
        stmt = stmt.where(Post.id < before_id)
    posts = list(db.session.scalars(stmt.order_by(Post.id.desc()).limit(limit + 1)))
    next_cursor = posts[limit - 1].id if len(posts) > limit else None
    return WallPage(posts=build_views(actor, posts[:limit]), next_cursor=next_cursor)


def revision_views(actor: User, target_type: str, target_id: int) -> list[RevisionView]:
    """Previous versions rendered as they were shown (mentions linked), newest first."""
    items = revisions(actor, target_type, target_id)
    ids = {i for r in items for i in mentioned_ids(r.body)}
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_(ids), User.status == "active")).tuples().all()) if ids else {}
    return [RevisionView(r, str(render_markdown(link_mentions(r.body, names)))) for r in items]
