"""News feed, follows, notifications, preferences and digests: the only code that changes them.

Other features write here through a small public API:

- `do_record_activity(...)` when something happens that belongs in members' feeds;
- `do_notify(...)` / `do_notify_many(...)` when members must be told about something personal;
- `do_follow` / `do_unfollow` for what a member follows;
- `do_set_object_hidden` / `do_update_object_data` when moderation hides content or an
  author edits or moves it;
- the registries `CONTEXT_NAMES`, `FEED_EXCLUSIONS` and `RECIPIENT_CHECKS`, where owner
  features say how their contexts are named and who may no longer read them.

None of these commit: the caller's `transaction()` does, and live events and emails leave
only after that commit (`app.realtime.publish`, `app.db.on_commit`).

Layout: `queries` reads (feed, centre, follows, preferences); `feed`, `follows`, `notify`,
`preferences` and `digests` write; `common` holds the constants and registries.
"""

from .common import (
    CONTEXT_NAMES,
    DEFAULT_DELIVERY,
    EXCERPT_MAX,
    FEED_EXCLUSIONS,
    KIND_SUBJECTS,
    PERSONAL_VERBS,
    RECIPIENT_CHECKS,
)
from .digests import do_send_digests
from .feed import do_mark_feed_seen, do_record_activity, do_set_object_hidden, do_update_object_data
from .follows import do_follow, do_unfollow, do_unfollow_all
from .notify import check_mark_read, do_mark_all_read, do_mark_read, do_notify, do_notify_many
from .preferences import check_set_preferences, check_unsubscribe, do_set_preferences
from .queries import (
    FeedPage,
    NotificationPage,
    activity_in,
    deliveries,
    feed,
    followed_ids,
    follower_ids,
    is_following,
    notifications_page,
    preferences,
    unread_count,
    unread_counts,
    unsubscribe_token,
    user_for_unsubscribe_token,
)

__all__ = [
    "CONTEXT_NAMES", "DEFAULT_DELIVERY", "EXCERPT_MAX", "FEED_EXCLUSIONS", "KIND_SUBJECTS",
    "PERSONAL_VERBS",
    "RECIPIENT_CHECKS", "FeedPage", "NotificationPage", "activity_in", "check_mark_read",
    "check_set_preferences", "check_unsubscribe", "deliveries", "do_follow",
    "do_mark_all_read", "do_mark_feed_seen", "do_mark_read", "do_notify", "do_notify_many",
    "do_record_activity", "do_send_digests", "do_set_object_hidden", "do_set_preferences",
    "do_unfollow", "do_unfollow_all", "do_update_object_data", "feed", "followed_ids",
    "follower_ids", "is_following", "notifications_page", "preferences", "unread_count",
    "unread_counts", "unsubscribe_token", "user_for_unsubscribe_token",
]
