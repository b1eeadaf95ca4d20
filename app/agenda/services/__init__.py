"""Agenda services: the only code that changes events, answers and feed tokens.

Reads (never write): `access` (who sees which event), `queries` (owned events, seat
counts, the private feed), `pages` (lists, attendees, documents, labels). Writes
(`check_*` validates raw input and calls a `do_*`, which changes state and never commits):
`events` (network events, and the entries other features own), `rsvp` (answers, the
waiting list, reminders), `documents` (slides and minutes, through the library), `feed`
(the feed's token). `validation` holds the limits and the cleaning of typed input.

Other features put their events here (a co-development session, a project meeting) with
`do_upsert_owned_event` and say who is invited with `do_set_invitees`; the agenda then
lists them, reminds the invitees and serves them in .ics files and feeds. Callers import
from here: `from app.agenda import services`.
"""

from .access import EventAccess, access_event
from .documents import (
    DOCUMENT_TYPES,
    EVENT_DOCUMENTS_MAX,
    check_attach_document,
    do_attach_document,
)
from .events import (
    check_cancel_event,
    check_create_event,
    check_set_replay,
    check_update_event,
    do_cancel_event,
    do_create_event,
    do_set_invitees,
    do_set_replay,
    do_update_event,
    do_upsert_owned_event,
)
from .feed import check_new_feed_token, do_new_feed_token, do_revoke_feed_token
from .pages import (
    DOCUMENT_LABELS,
    KIND_LABELS,
    PAGE_SIZE,
    STATE_LABELS,
    EventDocument,
    EventItem,
    EventPage,
    attendees,
    event_documents,
    event_when,
    events_page,
    is_past,
    parse_cursor,
)
from .queries import (
    FEED_PAST_DAYS,
    count_answers,
    feed_events,
    has_feed_token,
    owned_event,
    user_for_feed_token,
)
from .rsvp import check_rsvp, do_promote_waiting, do_rsvp, do_send_reminders
from .validation import (
    CAPACITY_MAX,
    DESCRIPTION_MAX,
    LOCATION_MAX,
    NETWORK_KINDS,
    PARIS,
    TITLE_MAX,
    URL_MAX,
    EventData,
    aware,
    clean_event,
    clean_text,
    clean_web_url,
)

__all__ = [
    "CAPACITY_MAX",
    "DESCRIPTION_MAX",
    "DOCUMENT_LABELS",
    "DOCUMENT_TYPES",
    "EVENT_DOCUMENTS_MAX",
    "FEED_PAST_DAYS",
    "KIND_LABELS",
    "LOCATION_MAX",
    "NETWORK_KINDS",
    "PAGE_SIZE",
    "PARIS",
    "STATE_LABELS",
    "TITLE_MAX",
    "URL_MAX",
    "EventAccess",
    "EventData",
    "EventDocument",
    "EventItem",
    "EventPage",
    "access_event",
    "attendees",
    "aware",
    "check_attach_document",
    "check_cancel_event",
    "check_create_event",
    "check_new_feed_token",
    "check_rsvp",
    "check_set_replay",
    "check_update_event",
    "clean_event",
    "clean_text",
    "clean_web_url",
    "count_answers",
    "do_attach_document",
    "do_cancel_event",
    "do_create_event",
    "do_new_feed_token",
    "do_promote_waiting",
    "do_revoke_feed_token",
    "do_rsvp",
    "do_send_reminders",
    "do_set_invitees",
    "do_set_replay",
    "do_update_event",
    "do_upsert_owned_event",
    "event_documents",
    "event_when",
    "events_page",
    "feed_events",
    "has_feed_token",
    "is_past",
    "owned_event",
    "parse_cursor",
    "user_for_feed_token",
]
