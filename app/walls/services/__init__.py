"""Wall services: the only code that changes walls, posts, comments and reactions.

Publishing a post or comment also writes the feed (notifications.do_record_activity),
notifies (mentions, replies, reactions, accepted answers) and publishes live events to
`wall:<id>`; moderation actions write the moderation log and tell the author. Nothing here
commits: the caller's `transaction()` does, and live events leave after it.

Layout: `access` (loaders that authorise, readable-wall filters), `pages` (what a reader
sees: views and page builders) and `queries` (lists, the moderation queue) read; `walls`,
`posts`, `comments`, `reactions` and `moderation` hold the `check_*` that validate and the
`do_*` that write; `notices` holds what others hear of a change (live events, mentions, the
moderation log) and `validation` the limits and cleaners of raw input.
"""

from .access import (
    UNREADABLE_OWNERS,
    access_attachment,
    access_comment,
    access_post,
    access_wall,
    access_wall_by_slug,
    general_wall,
    unreadable_comments,
    unreadable_posts,
    unreadable_walls,
)
from .comments import (
    check_create_comment,
    check_delete_comment,
    check_edit_comment,
    do_create_comment,
    do_delete_comment,
    do_edit_comment,
)
from .moderation import (
    check_approve,
    check_hide,
    check_move,
    check_reject,
    check_restore,
    check_set_locked,
    check_set_pinned,
    check_unhide,
    do_approve,
    do_hide,
    do_move,
    do_reject,
    do_restore,
    do_set_locked,
    do_set_pinned,
    do_unhide,
)
from .notices import MODERATION_LABELS
from .pages import (
    CommentView,
    PostView,
    QuestionFilters,
    RevisionView,
    WallPage,
    build_views,
    comment_view,
    open_questions,
    post_view,
    revision_views,
    wall_page,
)
from .posts import (
    check_accept_answer,
    check_create_post,
    check_delete_post,
    check_edit_post,
    do_accept_answer,
    do_create_post,
    do_delete_post,
    do_edit_post,
)
from .queries import (
    followed_wall_ids,
    is_following,
    load_targets,
    my_reactions,
    pending_posts,
    revisions,
    walls_for,
)
from .reactions import check_toggle_reaction, do_toggle_reaction
from .validation import (
    ATTACHMENT_TYPES,
    COMMENT_BODY_MAX,
    DUPLICATE_WINDOW,
    EXCERPT,
    MAX_ATTACHMENTS,
    NEW_MEMBER_POSTS,
    POST_BODY_MAX,
    REASON_MAX,
    TAG_VOCABULARIES,
    TITLE_MAX,
    WALL_NAME_MAX,
)
from .walls import (
    GENERAL_WALL,
    check_create_wall,
    check_follow,
    check_set_premoderation,
    do_create_owned_wall,
    do_create_wall,
    do_ensure_general_wall,
    do_rename_owned_wall,
    do_set_premoderation,
    do_unfollow_posts,
)

__all__ = [
    "ATTACHMENT_TYPES", "COMMENT_BODY_MAX", "DUPLICATE_WINDOW", "EXCERPT", "GENERAL_WALL",
    "MAX_ATTACHMENTS", "MODERATION_LABELS", "NEW_MEMBER_POSTS", "POST_BODY_MAX",
    "REASON_MAX", "TAG_VOCABULARIES", "TITLE_MAX", "UNREADABLE_OWNERS", "WALL_NAME_MAX",
    "CommentView", "PostView", "QuestionFilters", "RevisionView", "WallPage",
    "access_attachment", "access_comment", "access_post", "access_wall",
    "access_wall_by_slug", "build_views", "check_accept_answer", "check_approve",
    "check_create_comment", "check_create_post", "check_create_wall", "check_delete_comment",
    "check_delete_post", "check_edit_comment", "check_edit_post", "check_follow",
    "check_hide", "check_move", "check_reject", "check_restore", "check_set_locked",
    "check_set_pinned", "check_set_premoderation", "check_toggle_reaction", "check_unhide",
    "comment_view", "do_accept_answer", "do_approve", "do_create_comment",
    "do_create_owned_wall", "do_create_post", "do_create_wall", "do_delete_comment",
    "do_delete_post", "do_edit_comment", "do_edit_post", "do_ensure_general_wall", "do_hide",
    "do_move", "do_reject", "do_rename_owned_wall", "do_restore", "do_set_locked",
    "do_set_pinned", "do_set_premoderation", "do_toggle_reaction", "do_unfollow_posts",
    "do_unhide", "followed_wall_ids", "general_wall", "is_following", "load_targets",
    "my_reactions", "open_questions", "pending_posts", "post_view", "revision_views",
    "revisions", "unreadable_comments", "unreadable_posts", "unreadable_walls",
    "wall_page", "walls_for",
]
