"""Project services: the only code that changes projects, their members, actions and meetings.

A project space composes other features through their services: a wall
(`walls.do_create_owned_wall`), a chat channel whose membership follows the project's
(`chat.do_add_member` / `chat.do_remove_member`), a library shelf ("project", id) moderated
by the leads (`library.check_submit`, `library.pending`...), one agenda entry per meeting
whose invitees are the members (`agenda.do_upsert_owned_event` / `agenda.do_set_invitees`),
and the feed (`do_record_news` with the project as context, read by the members who
follow it). Nothing here commits; live events go to `project:<id>` after the caller's
commit (docs/realtime.md, "### Projects").

Reads (`access`, `queries`, `pages`) are kept apart from the writes, one module per
sub-domain (`projects`, `membership`, `actions`, `meetings`, `documents`); callers import
every name from here.
"""

from __future__ import annotations

from ..access import MeetingAccess, ProjectAccess
from .access import (
    access_action,
    access_meeting,
    access_project,
    access_project_meeting,
    access_shelf_document,
)
from .actions import (
    check_create_action,
    check_delete_action,
    check_set_action_status,
    check_update_action,
    do_create_action,
    do_delete_action,
    do_set_action_status,
    do_update_action,
)
from .common import (
    ACTION_STATUS_LABELS,
    ACTION_TITLE_MAX,
    AGENDA_MAX,
    COVER_FORMATS,
    COVER_MAX_PIXELS,
    COVER_SIZE,
    DESCRIPTION_MAX,
    DURATION_MAX,
    INVITE_MAX,
    MEETING_TITLE_MAX,
    MESSAGE_MAX,
    OVERVIEW_ACTIONS,
    OVERVIEW_MEETINGS,
    PAGE_SIZE,
    PARIS,
    PARTNER_NAME_MAX,
    PARTNERS_MAX,
    PAST_PAGE,
    PITCH_MAX,
    ROLE_LABELS,
    RSVP_LABELS,
    STATUS_LABELS,
    TAG_VOCABULARIES,
    TERRITORY_MAX,
    TITLE_MAX,
    URL_MAX,
    VISIBILITY_LABELS,
    project_path,
    project_room,
)
from .documents import (
    check_decide_document,
    check_propose_document,
    check_submit_documents,
    do_ask_leads_to_review,
)
from .meetings import (
    MEETING_SOURCE,
    MINUTES_TYPE,
    CleanMeeting,
    MeetingData,
    check_attach_minutes,
    check_cancel_meeting,
    check_create_meeting,
    check_rsvp,
    check_update_meeting,
    do_cancel_meeting,
    do_create_meeting,
    do_link_minutes,
    do_rsvp,
    do_sync_agenda,
    do_sync_meeting_event,
    do_update_meeting,
    paris_to_utc,
)
from .membership import (
    check_cancel_request,
    check_change_member,
    check_decide_request,
    check_invite,
    check_leave,
    check_remove_member,
    check_request_join,
    check_set_role,
    check_transfer,
    do_add_member,
    do_cancel_request,
    do_decline_request,
    do_record_news,
    do_remove_member,
    do_remove_member_by_lead,
    do_request_join,
    do_set_role,
)
from .pages import (
    DirectoryFilters,
    DirectoryPage,
    DocumentsTab,
    MeetingsPage,
    MeetingView,
    MembersPage,
    OverviewPage,
    ProjectCard,
    directory,
    documents,
    meetings,
    members_page,
    overview_page,
)
from .projects import (
    CleanProject,
    Cover,
    ProjectData,
    check_create_project,
    check_update_project,
    decode_cover,
    do_create_project,
    do_update_project,
)
from .queries import (
    ActionFilters,
    actions,
    cover_path,
    has_requested,
    ics_filename,
    invitable_members,
    join_requests,
    lead_ids,
    load_details,
    meeting_ics,
    member_ids,
    members,
    my_accesses,
    my_projects,
    projects_of,
    visible_clause,
)

__all__ = [
    "ACTION_STATUS_LABELS", "ACTION_TITLE_MAX", "AGENDA_MAX", "COVER_FORMATS",
    "COVER_MAX_PIXELS", "COVER_SIZE", "DESCRIPTION_MAX", "DURATION_MAX", "INVITE_MAX",
    "MEETING_SOURCE", "MEETING_TITLE_MAX", "MESSAGE_MAX", "MINUTES_TYPE", "OVERVIEW_ACTIONS",
    "OVERVIEW_MEETINGS", "PAGE_SIZE", "PARIS", "PARTNERS_MAX", "PARTNER_NAME_MAX", "PAST_PAGE",
    "PITCH_MAX", "ROLE_LABELS", "RSVP_LABELS", "STATUS_LABELS", "TAG_VOCABULARIES",
    "TERRITORY_MAX", "TITLE_MAX", "URL_MAX", "VISIBILITY_LABELS",
    "ActionFilters", "CleanMeeting", "CleanProject", "Cover", "DirectoryFilters",
    "DirectoryPage", "DocumentsTab", "MeetingAccess", "MeetingData", "MeetingView",
    "MeetingsPage", "MembersPage", "OverviewPage", "ProjectAccess", "ProjectCard",
    "ProjectData",
    "access_action", "access_meeting", "access_project", "access_project_meeting",
    "access_shelf_document", "actions",
    "check_attach_minutes", "check_cancel_meeting", "check_cancel_request", "check_change_member",
    "check_create_action", "check_create_meeting", "check_create_project",
    "check_decide_document", "check_decide_request", "check_delete_action", "check_invite",
    "check_leave", "check_propose_document", "check_remove_member", "check_request_join",
    "check_rsvp", "check_set_action_status", "check_set_role", "check_submit_documents",
    "check_transfer", "check_update_action", "check_update_meeting", "check_update_project",
    "cover_path", "decode_cover", "directory", "do_add_member", "do_ask_leads_to_review",
    "do_cancel_meeting", "do_cancel_request", "do_create_action", "do_create_meeting",
    "do_create_project", "do_decline_request", "do_delete_action", "do_link_minutes",
    "do_record_news", "do_remove_member", "do_remove_member_by_lead", "do_request_join",
    "do_rsvp", "do_set_action_status", "do_set_role", "do_sync_agenda",
    "do_sync_meeting_event", "do_update_action", "do_update_meeting", "do_update_project",
    "documents", "has_requested", "ics_filename", "invitable_members", "join_requests",
    "lead_ids", "load_details", "meeting_ics", "meetings", "member_ids", "members",
    "members_page", "my_accesses", "my_projects", "overview_page", "paris_to_utc",
    "project_path", "project_room", "projects_of", "visible_clause",
]
