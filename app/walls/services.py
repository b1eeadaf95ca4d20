"""Wall services: the only code that changes walls, posts, comments and reactions.

Publishing a post or comment also writes the feed (notifications.do_record_activity),
notifies (mentions, replies, reactions, accepted answers) and publishes live events to
`wall:<id>`; moderation actions write the moderation log and tell the author.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import selectinload

from .. import taxonomy
from ..accounts.models import User
from ..db import utcnow
from ..errors import Invalid, NotFound, PermissionDenied
from ..extensions import db
from ..mentions import link_mentions, mentioned_ids, mentioned_members, render_with_mentions
from ..moderation.log import do_log
from ..notifications import services as notifications
from ..permissions import can, require
from ..realtime import publish
from ..sanitize import render_markdown, to_plain_text
from ..storage import get_storage
from ..text import fold
from ..uploads import DOCUMENT_TYPES, IMAGE_TYPES, CheckedFile
from .models import (
    POST_KINDS,
    PREMODERATION,
    REACTIONS,
    Attachment,
    Comment,
    Post,
    Reaction,
    Revision,
    Wall,
)

TITLE_MAX = 200
POST_BODY_MAX = 20_000
COMMENT_BODY_MAX = 10_000
REASON_MAX = 1_000
WALL_NAME_MAX = 120
TAG_VOCABULARIES = ("domain", "region", "sdg")
ATTACHMENT_TYPES = {**IMAGE_TYPES, **DOCUMENT_TYPES}
MAX_ATTACHMENTS = 5
# A member counts as new (for pre-moderation) until this many posts were published.
NEW_MEMBER_POSTS = 3
DUPLICATE_WINDOW = timedelta(minutes=2)
EXCERPT = 240


# Reading ---------------------------------------------------------------------------------

def _wall_room(wall_id: int) -> str:
    return f"wall:{wall_id}"


def access_wall(actor: User, wall_id: int) -> Wall:
    wall = db.session.get(Wall, wall_id)
    if wall is None or wall.archived_at is not None:
        raise NotFound()
    require(actor, "wall.view", wall, hide=True)
    return wall


def access_wall_by_slug(actor: User, slug: str) -> Wall:
    wall = db.session.scalar(select(Wall).where(Wall.slug == slug))
    if wall is None:
        raise NotFound()
    return access_wall(actor, wall.id)


# Walls owned by another feature follow its "read" rule (OWNER_RULES in app/permissions.py).
# Lists filtered in SQL (the feed, the moderation queue) need the same answer as a subquery:
# UNREADABLE_OWNERS[owner_type](user) -> a select of the owner ids `user` may not read.
# Owner features register theirs next to their rule.
UNREADABLE_OWNERS: dict[str, Callable[[User], Select]] = {}


def unreadable_walls(actor: User) -> Select:
    """The ids of the walls `actor` may not see, as one subquery for list filters."""
    owned = [(Wall.owner_type == owner_type) & Wall.owner_id.in_(owner_ids(actor))
             for owner_type, owner_ids in sorted(UNREADABLE_OWNERS.items())]
    return select(Wall.id).where(or_(*owned) if owned else false())


def unreadable_posts(actor: User) -> Select:
    return select(Post.id).where(Post.wall_id.in_(unreadable_walls(actor)))


def unreadable_comments(actor: User) -> Select:
    return select(Comment.id).join(Post, Comment.post_id == Post.id).where(
        Post.wall_id.in_(unreadable_walls(actor)))


def _closed_activities(actor: User):
    """Feed activities on walls the member may not see: posts (context: the wall) and
    comments (context: the post), whatever they still follow."""
    return or_(notifications.activity_in("wall", unreadable_walls(actor)),
               notifications.activity_in("post", unreadable_posts(actor)))


def _sees_post(user: User, post_id: int) -> bool:
    """Whether a notification about a post may still reach `user` (an unknown post is
    left to the caller)."""
    post = db.session.get(Post, post_id)
    return post is None or (can(user, "wall.view", db.session.get(Wall, post.wall_id))
                            and can(user, "post.view", post))


def _sees_comment(user: User, comment_id: int) -> bool:
    comment = db.session.get(Comment, comment_id)
    return comment is None or _sees_post(user, comment.post_id)


notifications.FEED_EXCLUSIONS.append(_closed_activities)
notifications.RECIPIENT_CHECKS.update({"post": _sees_post, "comment": _sees_comment})


def do_unfollow_posts(user: User, wall_id: int) -> None:
    """Stop following every post of a wall (a member leaving a private project's wall)."""
    notifications.do_unfollow_all(user, "post", select(Post.id).where(Post.wall_id == wall_id))


def walls_for(actor: User) -> list[Wall]:
    """The network's walls (those owned by another feature are listed there)."""
    walls = db.session.scalars(
        select(Wall).where(Wall.owner_type.is_(None), Wall.archived_at.is_(None))
        .order_by(Wall.is_general.desc(), Wall.position, Wall.name))
    return [w for w in walls if can(actor, "wall.view", w)]


def general_wall() -> Wall | None:
    return db.session.scalar(select(Wall).where(Wall.is_general.is_(True)))


GENERAL_WALL = {
    "slug": "general", "name": "Mur général", "is_general": True,
    "description": "Le mur de tout le réseau : questions, partages d'expériences, annonces.",
}


def do_ensure_general_wall() -> Wall:
    """The network's general wall (the migration creates it; fresh test or demo databases
    made by create_all get it here)."""
    wall = general_wall()
    if wall is None:
        wall = Wall(**GENERAL_WALL, premoderation="off", position=0)
        db.session.add(wall)
        db.session.flush()
    return wall


def _post_query():
    return select(Post).options(
        selectinload(Post.wall), selectinload(Post.author).selectinload(User.profile),
        selectinload(Post.tags), selectinload(Post.attachments))


def access_post(actor: User, post_id: int) -> Post:
    """A post its reader may see: published ones, their own pending or hidden ones, and
    everything for moderators; anything else is 404 (it does not exist for them)."""
    post = db.session.scalar(_post_query().where(Post.id == post_id))
    if post is None:
        raise NotFound()
    require(actor, "wall.view", post.wall, hide=True)
    require(actor, "post.view", post, hide=True)
    return post


def access_comment(actor: User, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    post = access_post(actor, comment.post_id)
    own = comment.author_id == actor.id and comment.deleted_at is None
    if not (comment.is_visible or own or can(actor, "content.moderate")):
        raise NotFound()
    comment.post = post
    return comment


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
    stmt = _post_query().where(Post.wall_id == wall.id, _visible_posts_clause(actor))
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


def followed_wall_ids(actor: User) -> set[int]:
    return notifications.followed_ids(actor, "wall")


def is_following(actor: User, target_type: str, target_id: int) -> bool:
    return notifications.is_following(actor, target_type, target_id)


def my_reactions(actor: User, target_type: str, target_id: int) -> set[str]:
    return set(db.session.scalars(select(Reaction.kind).where(
        Reaction.target_type == target_type, Reaction.target_id == target_id,
        Reaction.user_id == actor.id)))


@dataclass
class QuestionFilters:
    domain: str = ""
    region: str = ""


def open_questions(actor: User, filters: QuestionFilters, before_id: int | None = None,
                   limit: int = 20) -> WallPage:
    """Questions without an accepted answer, newest first, filterable by domain and region."""
    stmt = _post_query().join(Post.wall).where(
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


def revisions(actor: User, target_type: str, target_id: int) -> list[Revision]:
    require(actor, "revisions.view")
    return list(db.session.scalars(
        select(Revision).where(Revision.target_type == target_type,
                               Revision.target_id == target_id)
        .options(selectinload(Revision.editor)).order_by(Revision.id.desc())))


@dataclass
class RevisionView:
    revision: Revision
    body_html: str


def revision_views(actor: User, target_type: str, target_id: int) -> list[RevisionView]:
    """Previous versions rendered as they were shown (mentions linked), newest first."""
    items = revisions(actor, target_type, target_id)
    ids = {i for r in items for i in mentioned_ids(r.body)}
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_(ids), User.status == "active")).tuples().all()) if ids else {}
    return [RevisionView(r, str(render_markdown(link_mentions(r.body, names)))) for r in items]


# Walls -------------------------------------------------------------------------------------

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
    base = slug = _slugify(name)
    n = 2
    while db.session.scalar(select(Wall.id).where(Wall.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    wall = Wall(name=name, slug=slug, description=(description or "").strip(),
                premoderation=premoderation, created_by_id=actor.id)
    db.session.add(wall)
    db.session.flush()
    do_log(actor, "wall.create", "wall", wall.id, name=name)
    notifications.do_follow(actor, "wall", wall.id)
    return wall


def do_create_owned_wall(name: str, owner_type: str, owner_id: int) -> Wall:
    """A wall owned by another feature (a project space); its owner decides who sees it."""
    wall = Wall(name=name, slug=f"{owner_type}-{owner_id}", owner_type=owner_type,
                owner_id=owner_id)
    db.session.add(wall)
    db.session.flush()
    return wall


def do_rename_owned_wall(wall_id: int, name: str) -> None:
    """An owned wall carries its owner's name: a renamed project renames its wall."""
    wall = db.session.get(Wall, wall_id)
    if wall is None or wall.owner_type is None:
        raise NotFound()
    wall.name = name[:WALL_NAME_MAX]


def check_set_premoderation(actor: User, wall: Wall, premoderation: str) -> None:
    require(actor, "wall.manage", wall)
    if premoderation not in PREMODERATION:
        raise Invalid(_l("Réglage de modération inconnu."), field="premoderation")
    if premoderation != wall.premoderation:
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


# Posts -------------------------------------------------------------------------------------

def _clean_body(body: str | None, limit: int) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_l("Le message est vide."), field="body")
    if len(text) > limit:
        raise Invalid(_l("Le message est trop long (%(n)d caractères au plus).", n=limit),
                      field="body")
    return text


def _clean_title(title: str | None, required: bool) -> str:
    text = " ".join((title or "").split())
    if required and not text:
        raise Invalid(_l("Une question a besoin d'un titre."), field="title")
    if len(text) > TITLE_MAX:
        raise Invalid(_l("Le titre est trop long (%(n)d caractères au plus).", n=TITLE_MAX),
                      field="title")
    return text


def _clean_reason(reason: str | None, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise Invalid(_l("Le motif est obligatoire."), field="reason")
    if len(text) > REASON_MAX:
        raise Invalid(_l("Le motif est trop long."), field="reason")
    return text


def _post_url(post: Post, comment_id: int | None = None) -> str:
    anchor = f"commentaire-{comment_id}" if comment_id else None
    # A path, also outside a request (CLI, tests): notifications only store same-site paths.
    return url_for("walls.post", post_id=post.id, _anchor=anchor, _external=False)


def _snapshot(post: Post, wall: Wall) -> dict:
    return {"title": post.title, "excerpt": to_plain_text(post.body, EXCERPT),
            "url": _post_url(post), "context_name": wall.name, "kind": post.kind}


def _is_new_member(user: User) -> bool:
    published = db.session.scalar(select(func.count()).select_from(Post).where(
        Post.author_id == user.id, Post.state == "published"))
    return published < NEW_MEMBER_POSTS


def _needs_approval(actor: User, wall: Wall) -> bool:
    if can(actor, "content.moderate") or wall.premoderation == "off":
        return False
    return wall.premoderation == "all" or _is_new_member(actor)


def _check_not_duplicate(actor: User, body: str, wall_id: int | None = None,
                         post_id: int | None = None) -> None:
    """A double click or a resent form must not publish the same text twice."""
    since = utcnow() - DUPLICATE_WINDOW
    if post_id is None:
        stmt = select(Post.id).where(Post.author_id == actor.id, Post.wall_id == wall_id,
                                     Post.body == body, Post.created_at > since,
                                     Post.deleted_at.is_(None))
    else:
        stmt = select(Comment.id).where(Comment.author_id == actor.id,
                                        Comment.post_id == post_id, Comment.body == body,
                                        Comment.created_at > since,
                                        Comment.deleted_at.is_(None))
    if db.session.scalar(stmt.limit(1)) is not None:
        raise Invalid(_l("Vous venez de publier exactement ce message."), field="body")


def check_create_post(actor: User, wall: Wall, *, body: str, title: str = "",
                      kind: str = "discussion", tags: dict[str, list[str]] | None = None,
                      files: list[CheckedFile] = ()) -> Post:
    require(actor, "wall.view", wall, hide=True)
    require(actor, "post.create", wall)
    if kind not in POST_KINDS:
        raise Invalid(_l("Type de message inconnu."), field="kind")
    if kind == "announcement":
        require(actor, "post.announce", wall)
    body = _clean_body(body, POST_BODY_MAX)
    title = _clean_title(title, required=kind == "question")
    terms = taxonomy.check_terms(tags, TAG_VOCABULARIES, _l("Étiquette inconnue."))
    if len(files) > MAX_ATTACHMENTS:
        raise Invalid(_l("%(n)d pièces jointes au plus.", n=MAX_ATTACHMENTS), field="files")
    _check_not_duplicate(actor, body, wall_id=wall.id)
    html, mentioned = render_with_mentions(body)
    post = Post(wall_id=wall.id, author_id=actor.id, kind=kind, title=title, body=body,
                body_html=html, tags=terms, attachments=[],
                state="pending" if _needs_approval(actor, wall) else "published")
    db.session.add(post)
    db.session.flush()
    storage = get_storage()
    for checked in files:
        stored = storage.save(checked.data, suffix="." + checked.extension)
        post.attachments.append(Attachment(
            storage_key=stored.key, filename=checked.filename,
            content_type=checked.content_type, size=stored.size, sha256=stored.sha256,
            is_image=checked.is_image))
    notifications.do_follow(actor, "post", post.id)
    if post.state == "published":
        _announce_post(actor, post, wall, mentioned)
    return post


def _announce_post(actor: User, post: Post, wall: Wall, mentioned: dict[int, User]) -> None:
    """Everything that happens when a post becomes visible: feed, mentions, live event."""
    snapshot = _snapshot(post, wall)
    notifications.do_record_activity(
        "announcement" if post.kind == "announcement" else "post.created", actor, "post",
        post.id, context_type="wall", context_id=wall.id,
        broadcast=post.kind == "announcement", data=snapshot)
    _notify_mentions(actor, post, mentioned, snapshot["url"])
    publish(_wall_room(wall.id), "wall:post",
            {"type": "post", "op": "add", "wall_id": wall.id, "post_id": post.id})


def _notify_mentions(actor: User, post: Post, mentioned: dict[int, User], url: str,
                     already: set[int] = frozenset()) -> None:
    wall = db.session.get(Wall, post.wall_id)
    for user_id, user in mentioned.items():
        # A private project's wall: mentioning someone outside it tells them nothing.
        if user_id in already or not can(user, "wall.view", wall) \
                or not can(user, "post.view", post):
            continue
        notifications.do_notify(
            user_id, "mention", actor, "post", post.id, url=url,
            text=str(_l("%(name)s vous a mentionné·e dans « %(title)s »",
                        name=actor.display_name, title=post.title or to_plain_text(
                            post.body, 60))))


def check_edit_post(actor: User, post: Post, *, body: str, title: str = "",
                    reason: str = "") -> None:
    """Keeps the previous version; a moderator editing someone else's post gives a reason."""
    require(actor, "post.edit", post)
    by_moderator = post.author_id != actor.id
    reason = _clean_reason(reason, required=by_moderator)
    body = _clean_body(body, POST_BODY_MAX)
    title = _clean_title(title, required=post.kind == "question")
    if (body, title) == (post.body, post.title):
        return
    before = set(mentioned_ids(post.body))
    db.session.add(Revision(target_type="post", target_id=post.id, title=post.title,
                            body=post.body, editor_id=actor.id, reason=reason or None))
    post.body, post.title = body, title
    post.body_html, mentioned = render_with_mentions(body)
    post.edited_at = utcnow()
    notifications.do_update_object_data("post", post.id, **_snapshot(post, post.wall))
    if by_moderator:
        _moderated(actor, "post.edit", post, reason)
    if post.is_visible:
        _notify_mentions(actor, post, mentioned, _post_url(post), already=before)
        publish(_wall_room(post.wall_id), "wall:post",
                {"type": "post", "op": "update", "wall_id": post.wall_id, "post_id": post.id})


def check_delete_post(actor: User, post: Post, reason: str = "") -> None:
    """A soft delete: the row, its comments and its history stay in the database."""
    require(actor, "post.delete", post)
    by_moderator = post.author_id != actor.id
    reason = _clean_reason(reason, required=by_moderator)
    if post.deleted_at is not None:
        raise Invalid(_l("Ce message est déjà supprimé."))
    post.deleted_at, post.deleted_by_id, post.deleted_reason = utcnow(), actor.id, reason
    notifications.do_set_object_hidden("post", post.id, True)
    if by_moderator:
        _moderated(actor, "post.delete", post, reason)
    _publish_removed(post)


# Comments ----------------------------------------------------------------------------------

def check_create_comment(actor: User, post: Post, body: str,
                         parent_id: int | None = None) -> Comment:
    require(actor, "comment.create", post)
    body = _clean_body(body, COMMENT_BODY_MAX)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.post_id != post.id or not parent.is_visible:
            raise Invalid(_l("Le commentaire auquel vous répondez n'existe plus."),
                          field="parent_id")
        if parent.parent_id is not None:  # one level of replies: answer the thread
            parent = db.session.get(Comment, parent.parent_id)
            if parent is None or not parent.is_visible:
                raise Invalid(_l("Le commentaire auquel vous répondez n'existe plus."),
                              field="parent_id")
    _check_not_duplicate(actor, body, post_id=post.id)
    html, mentioned = render_with_mentions(body)
    comment = Comment(post_id=post.id, parent_id=parent.id if parent else None,
                      author_id=actor.id, body=body, body_html=html)
    db.session.add(comment)
    post.comment_count += 1
    post.last_activity_at = utcnow()
    db.session.flush()
    url = _post_url(post, comment.id)
    snapshot = {**_snapshot(post, post.wall), "url": url,
                "excerpt": to_plain_text(body, EXCERPT)}
    is_answer = post.kind == "question" and parent is None
    # The comment is the object and its post the context: followers of the post see it,
    # hiding or editing the comment reaches exactly this activity, hiding the post hides it.
    notifications.do_record_activity(
        "answer.created" if is_answer else "comment.created", actor, "comment", comment.id,
        context_type="post", context_id=post.id,
        target_user_id=post.author_id if is_answer else None, data=snapshot)
    title = post.title or to_plain_text(post.body, 60)
    told = {actor.id}
    for user_id in (post.author_id, parent.author_id if parent else None):
        if user_id and user_id not in told:
            told.add(user_id)
            notifications.do_notify(
                user_id, "reply", actor, "post", post.id, url=url,
                text=str(_l("%(name)s a répondu dans « %(title)s »",
                            name=actor.display_name, title=title)))
    _notify_mentions(actor, post, {k: v for k, v in mentioned.items() if k not in told}, url)
    notifications.do_follow(actor, "post", post.id)
    publish(_wall_room(post.wall_id), "wall:comment",
            {"type": "comment", "op": "add", "wall_id": post.wall_id, "post_id": post.id,
             "comment_id": comment.id})
    return comment


def check_edit_comment(actor: User, comment: Comment, body: str, reason: str = "") -> None:
    require(actor, "comment.edit", comment)
    by_moderator = comment.author_id != actor.id
    reason = _clean_reason(reason, required=by_moderator)
    body = _clean_body(body, COMMENT_BODY_MAX)
    if body == comment.body:
        return
    db.session.add(Revision(target_type="comment", target_id=comment.id, body=comment.body,
                            editor_id=actor.id, reason=reason or None))
    comment.body = body
    comment.body_html, _mentioned = render_with_mentions(body)
    comment.edited_at = utcnow()
    notifications.do_update_object_data("comment", comment.id,
                                        excerpt=to_plain_text(body, EXCERPT))
    if by_moderator:
        _moderated(actor, "comment.edit", comment, reason)
    publish(_wall_room(comment.post.wall_id), "wall:comment",
            {"type": "comment", "op": "update", "wall_id": comment.post.wall_id,
             "post_id": comment.post_id, "comment_id": comment.id})


def check_delete_comment(actor: User, comment: Comment, reason: str = "") -> None:
    require(actor, "comment.delete", comment)
    by_moderator = comment.author_id != actor.id
    reason = _clean_reason(reason, required=by_moderator)
    if comment.deleted_at is not None:
        raise Invalid(_l("Ce commentaire est déjà supprimé."))
    comment.deleted_at, comment.deleted_by_id = utcnow(), actor.id
    comment.deleted_reason = reason
    post = comment.post
    post.comment_count = max(0, post.comment_count - 1)
    if post.accepted_comment_id == comment.id:
        post.accepted_comment_id = None
    notifications.do_set_object_hidden("comment", comment.id, True)
    if by_moderator:
        _moderated(actor, "comment.delete", comment, reason)
    _publish_comment_removed(comment)


def check_accept_answer(actor: User, post: Post, comment_id: int | None) -> None:
    """Mark (or, with None, unmark) the accepted answer of a question."""
    require(actor, "answer.accept", post)
    if comment_id is None:
        post.accepted_comment_id = None
    else:
        comment = db.session.get(Comment, comment_id)
        if comment is None or comment.post_id != post.id or not comment.is_visible \
                or comment.parent_id is not None:
            raise Invalid(_l("Cette réponse ne peut pas être retenue."))
        post.accepted_comment_id = comment.id
        notifications.do_notify(
            comment.author_id, "accepted_answer", actor, "post", post.id,
            url=_post_url(post, comment.id),
            text=str(_l("Votre réponse à « %(title)s » a été retenue", title=post.title)))
    publish(_wall_room(post.wall_id), "wall:post",
            {"type": "post", "op": "update", "wall_id": post.wall_id, "post_id": post.id})


# Reactions ---------------------------------------------------------------------------------

def check_toggle_reaction(actor: User, target_type: str, target_id: int,
                          kind: str) -> dict[str, int]:
    """Add the reaction, or remove it if the member had already given it. Returns counts."""
    if kind not in REACTIONS:
        raise Invalid(_l("Réaction inconnue."), field="kind")
    if target_type == "post":
        post = access_post(actor, target_id)
        author_id, visible = post.author_id, post.is_visible
    elif target_type == "comment":
        comment = access_comment(actor, target_id)
        post, author_id, visible = comment.post, comment.author_id, comment.is_visible
    else:
        raise NotFound()
    if not visible:
        raise PermissionDenied()
    existing = db.session.scalar(select(Reaction).where(
        Reaction.target_type == target_type, Reaction.target_id == target_id,
        Reaction.user_id == actor.id, Reaction.kind == kind))
    if existing is not None:
        db.session.delete(existing)
    else:
        db.session.add(Reaction(target_type=target_type, target_id=target_id,
                                user_id=actor.id, kind=kind))
        notifications.do_notify(
            author_id, "reaction", actor, target_type, target_id, url=_post_url(post),
            text=str(_l("%(name)s a réagi à votre message", name=actor.display_name)))
    db.session.flush()
    counts = dict(db.session.execute(
        select(Reaction.kind, func.count()).where(
            Reaction.target_type == target_type, Reaction.target_id == target_id)
        .group_by(Reaction.kind)).all())
    publish(_wall_room(post.wall_id), "wall:reaction",
            {"type": "reaction", "op": "update", "wall_id": post.wall_id,
             "target_type": target_type, "target_id": target_id, "counts": counts})
    return counts


# Attachments -------------------------------------------------------------------------------

def access_attachment(actor: User, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound()
    access_post(actor, attachment.post_id)
    return attachment


def attachment_limit() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"]


# Moderation actions ------------------------------------------------------------------------

def _target_author(target: Post | Comment) -> int:
    return target.author_id


def _target_type(target: Post | Comment) -> str:
    return "post" if isinstance(target, Post) else "comment"


def _moderated(actor: User, action: str, target: Post | Comment, reason: str,
               **data) -> None:
    """Log the decision and tell the author (in their notification centre, by their choice)."""
    kind = _target_type(target)
    do_log(actor, action, kind, target.id, target_user_id=_target_author(target),
           reason=reason, **data)
    post = target if isinstance(target, Post) else target.post
    label = MODERATION_LABELS.get(action, action)
    if reason:
        text = _l("L'équipe d'animation a agi sur votre message (%(action)s) : %(reason)s",
                  action=label, reason=reason)
    else:
        text = _l("L'équipe d'animation a agi sur votre message (%(action)s)", action=label)
    notifications.do_notify(target.author_id, "moderation", actor, kind, target.id,
                            url=_post_url(post), text=str(text))


MODERATION_LABELS = {
    "post.edit": _l("modification"), "comment.edit": _l("modification"),
    "post.delete": _l("suppression"), "comment.delete": _l("suppression"),
    "post.hide": _l("masqué"), "comment.hide": _l("masqué"),
    "post.unhide": _l("de nouveau visible"), "comment.unhide": _l("de nouveau visible"),
    "post.restore": _l("restauré"), "comment.restore": _l("restauré"),
    "post.lock": _l("commentaires fermés"), "post.unlock": _l("commentaires rouverts"),
    "post.pin": _l("épinglé"), "post.unpin": _l("désépinglé"),
    "post.move": _l("déplacé"), "post.approve": _l("approuvé"), "post.reject": _l("refusé"),
}


def _publish_removed(post: Post) -> None:
    publish(_wall_room(post.wall_id), "wall:post",
            {"type": "post", "op": "remove", "wall_id": post.wall_id, "post_id": post.id})


def _publish_comment_removed(comment: Comment) -> None:
    publish(_wall_room(comment.post.wall_id), "wall:comment",
            {"type": "comment", "op": "remove", "wall_id": comment.post.wall_id,
             "post_id": comment.post_id, "comment_id": comment.id})


def check_hide(actor: User, target: Post | Comment, reason: str) -> None:
    require(actor, "content.moderate")
    reason = _clean_reason(reason)
    if target.hidden_at is not None:
        raise Invalid(_l("Déjà masqué."))
    target.hidden_at, target.hidden_by_id, target.hidden_reason = utcnow(), actor.id, reason
    kind = _target_type(target)
    notifications.do_set_object_hidden(kind, target.id, True)
    _moderated(actor, f"{kind}.hide", target, reason)
    if isinstance(target, Post):
        _publish_removed(target)
    else:
        _publish_comment_removed(target)


def check_unhide(actor: User, target: Post | Comment, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = _clean_reason(reason, required=False)
    if target.hidden_at is None:
        raise Invalid(_l("Ce contenu n'est pas masqué."))
    target.hidden_at = target.hidden_by_id = target.hidden_reason = None
    kind = _target_type(target)
    if target.deleted_at is None:
        notifications.do_set_object_hidden(kind, target.id, False)
    _moderated(actor, f"{kind}.unhide", target, reason)
    _publish_back(target)


def check_restore(actor: User, target: Post | Comment, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = _clean_reason(reason, required=False)
    if target.deleted_at is None:
        raise Invalid(_l("Ce contenu n'est pas supprimé."))
    target.deleted_at = target.deleted_by_id = target.deleted_reason = None
    kind = _target_type(target)
    if isinstance(target, Comment):
        target.post.comment_count += 1
    if target.hidden_at is None:
        notifications.do_set_object_hidden(kind, target.id, False)
    _moderated(actor, f"{kind}.restore", target, reason)
    _publish_back(target)


def _publish_back(target: Post | Comment) -> None:
    """Visible again: members' pages add it back (a post still pending, deleted or hidden
    for another reason stays away)."""
    if not target.is_visible:
        return
    if isinstance(target, Post):
        publish(_wall_room(target.wall_id), "wall:post",
                {"type": "post", "op": "add", "wall_id": target.wall_id,
                 "post_id": target.id})
    else:
        publish(_wall_room(target.post.wall_id), "wall:comment",
                {"type": "comment", "op": "add", "wall_id": target.post.wall_id,
                 "post_id": target.post_id, "comment_id": target.id})


def check_set_locked(actor: User, post: Post, locked: bool, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = _clean_reason(reason, required=False)
    if post.comments_locked == locked:
        return
    post.comments_locked = locked
    _moderated(actor, "post.lock" if locked else "post.unlock", post, reason)
    publish(_wall_room(post.wall_id), "wall:post",
            {"type": "post", "op": "update", "wall_id": post.wall_id, "post_id": post.id})


def check_set_pinned(actor: User, post: Post, pinned: bool, reason: str = "") -> None:
    require(actor, "content.moderate")
    reason = _clean_reason(reason, required=False)
    if (post.pinned_at is not None) == pinned:
        return
    post.pinned_at = utcnow() if pinned else None
    _moderated(actor, "post.pin" if pinned else "post.unpin", post, reason)
    publish(_wall_room(post.wall_id), "wall:post",
            {"type": "post", "op": "update", "wall_id": post.wall_id, "post_id": post.id})


def check_move(actor: User, post: Post, wall_id: int, reason: str) -> None:
    require(actor, "content.moderate")
    reason = _clean_reason(reason)
    target = access_wall(actor, wall_id)
    if target.id == post.wall_id:
        raise Invalid(_l("Le message est déjà sur ce mur."), field="wall_id")
    source_id = post.wall_id
    _publish_removed(post)
    post.wall_id = target.id
    post.wall = target
    notifications.do_update_object_data("post", post.id, context_id=target.id,
                                        **_snapshot(post, target))
    _moderated(actor, "post.move", post, reason, from_wall=source_id, to_wall=target.id)
    if post.is_visible:
        publish(_wall_room(target.id), "wall:post",
                {"type": "post", "op": "add", "wall_id": target.id, "post_id": post.id})


def check_approve(actor: User, post: Post) -> None:
    require(actor, "content.moderate")
    if post.state != "pending":
        raise Invalid(_l("Ce message n'attend pas de validation."))
    post.state = "published"
    post.created_at = post.last_activity_at = utcnow()
    _moderated(actor, "post.approve", post, "")
    html_members = mentioned_members(post.body)
    author = db.session.get(User, post.author_id)
    _announce_post(author, post, post.wall, html_members)


def check_reject(actor: User, post: Post, reason: str) -> None:
    require(actor, "content.moderate")
    reason = _clean_reason(reason)
    if post.state != "pending":
        raise Invalid(_l("Ce message n'attend pas de validation."))
    post.state = "rejected"
    _moderated(actor, "post.reject", post, reason)


def pending_posts(actor: User, limit: int = 50) -> list[Post]:
    """Posts awaiting approval on the walls `actor` may see (a private project's stay
    with it)."""
    require(actor, "content.moderate")
    return list(db.session.scalars(
        _post_query().where(Post.state == "pending", Post.deleted_at.is_(None),
                            Post.wall_id.not_in(unreadable_walls(actor)))
        .order_by(Post.id).limit(limit)))


def load_targets(actor: User, refs: list[tuple[str, int]]) -> dict[tuple[str, int], object]:
    """Posts and comments for the moderation queue and log, in two queries; those on walls
    `actor` may not see (a private project's) are left out."""
    require(actor, "content.moderate")
    post_ids = [i for t, i in refs if t == "post"]
    comment_ids = [i for t, i in refs if t == "comment"]
    found: dict[tuple[str, int], object] = {}
    if post_ids:
        for post in db.session.scalars(_post_query().where(
                Post.id.in_(post_ids), Post.id.not_in(unreadable_posts(actor)))):
            found[("post", post.id)] = post
    if comment_ids:
        for comment in db.session.scalars(
                select(Comment).where(Comment.id.in_(comment_ids),
                                      Comment.id.not_in(unreadable_comments(actor))).options(
                    selectinload(Comment.author),
                    selectinload(Comment.post).selectinload(Post.wall))):
            found[("comment", comment.id)] = comment
    return found
