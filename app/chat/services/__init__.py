"""Chat services: the only code that changes channels, memberships and messages.

The rule of docs/ARCHITECTURE: `access_*` loads and authorises, `check_*` validates raw
input and calls the `do_*` that writes, `do_*` writes valid input and never commits. Live
events (`docs/realtime.md`, "### Chat") are published after the caller's commit.

Reads (never write): `access` (who may see what, history), `pages` (page builders,
`*_dict`), `unread_reads`, `live_reads`. Writes: `channels` (channels, members, direct
conversations, preferences), `messages` (send, edit, delete), `unread` (read markers,
badges), `live` (typing, presence). `inputs`: limits and cleaners of what members type.
Everything callers use is re-exported here: `from app.chat import services`.
"""

from .access import (
    HISTORY_DEFAULT,
    HISTORY_MAX,
    ChannelAccess,
    HistoryPage,
    MessageAccess,
    access_channel,
    access_history,
    access_history_page,
    access_message,
    channel_room,
    history,
    owned_channel,
    revisions,
)
from .channels import (
    check_create_channel,
    check_invite,
    check_join,
    check_leave,
    check_open_direct,
    check_remove_member,
    check_set_preferences,
    do_add_member,
    do_create_channel,
    do_create_owned_channel,
    do_open_direct,
    do_remove_member,
    do_rename_owned_channel,
    do_set_preferences,
)
from .inputs import (
    CLIENT_ID_RE,
    DIRECT_MAX_OTHERS,
    INVITE_MAX,
    NAME_MAX,
    REASON_MAX,
    TOPIC_MAX,
    clean_body,
)
from .live import check_typing, do_publish_presence, do_typing
from .live_reads import presence_partners, statuses
from .messages import (
    EXCERPT,
    Sent,
    check_delete,
    check_edit,
    check_rate,
    check_send,
    do_announce_message,
    do_delete,
    do_edit,
    do_send,
)
from .pages import (
    MEMBERS_SHOWN,
    PAGE_SIZE,
    ChannelItem,
    ChannelList,
    ChannelPage,
    MemberView,
    channel_dict,
    channel_list,
    channel_members,
    channel_page,
    channel_title,
    direct_title,
    message_dict,
    message_path,
)
from .unread import check_read, do_read, do_remember_badge
from .unread_reads import BADGE_SECONDS, Unread, unread_counts, unread_for, unread_total_cached

__all__ = [
    "BADGE_SECONDS", "CLIENT_ID_RE", "DIRECT_MAX_OTHERS", "EXCERPT", "HISTORY_DEFAULT",
    "HISTORY_MAX", "INVITE_MAX", "MEMBERS_SHOWN", "NAME_MAX", "PAGE_SIZE", "REASON_MAX",
    "TOPIC_MAX",
    "ChannelAccess", "ChannelItem", "ChannelList", "ChannelPage", "HistoryPage",
    "MemberView", "MessageAccess", "Sent", "Unread",
    "access_channel", "access_history", "access_history_page", "access_message",
    "channel_dict", "channel_list", "channel_members", "channel_page", "channel_room",
    "channel_title", "clean_body", "direct_title", "history", "message_dict",
    "message_path", "owned_channel", "presence_partners", "revisions", "statuses",
    "unread_counts", "unread_for", "unread_total_cached",
    "check_create_channel", "check_delete", "check_edit", "check_invite", "check_join",
    "check_leave", "check_open_direct", "check_rate", "check_read", "check_remove_member",
    "check_send", "check_set_preferences", "check_typing",
    "do_add_member", "do_announce_message", "do_create_channel", "do_create_owned_channel",
    "do_delete", "do_edit", "do_open_direct", "do_publish_presence", "do_read",
    "do_remember_badge", "do_remove_member", "do_rename_owned_channel", "do_send",
    "do_set_preferences", "do_typing",
]
