"""Meetings of a project: planned, changed, cancelled (never deleted: calendars learn of a
cancellation only from a newer version of the same event), answered, given minutes; and
their entries in the network agenda, whose invitees follow the project's membership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import User
from ...agenda import services as agenda
from ...db import utcnow
from ...errors import Invalid
from ...extensions import db
from ...library import services as library
from ...notifications import services as notifications
from ...paths import path_for
from ...permissions import require
from ...realtime import publish
from ...sanitize import render_markdown
from ...uploads import CheckedFile
from ..access import MeetingAccess, ProjectAccess
from ..models import RSVP_ANSWERS, Meeting, MeetingAnswer, Project
from .common import (
    AGENDA_MAX,
    DURATION_MAX,
    MEETING_TITLE_MAX,
    PARIS,
    URL_MAX,
    clean_line,
    clean_text,
    project_room,
)
from .documents import check_submit_documents
from .queries import member_ids

MEETING_SOURCE = "project_meeting"
MINUTES_TYPE = "compte-rendu"


@dataclass
class MeetingData:
    title: str = ""
    starts_local: datetime | None = None  # naive, Europe/Paris wall-clock time
    duration_minutes: int | None = 60
    visio_url: str = ""
    agenda: str = ""


@dataclass
class CleanMeeting:
    title: str
    starts_at: datetime  # UTC
    duration_minutes: int
    visio_url: str
    agenda: str


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > URL_MAX \
            or any(c.isspace() for c in url):
        raise Invalid(_l("Donnez l'adresse complète de la visio (https://…)."),
                      field="visio_url")
    return url


def paris_to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in France; the fold picks the first of an ambiguous hour."""
    return local.replace(tzinfo=PARIS).astimezone(ZoneInfo("UTC"))


def _check_meeting(data: MeetingData) -> CleanMeeting:
    title = clean_line(data.title, MEETING_TITLE_MAX, "title", required=True,
                       missing=_l("Donnez un titre à la réunion."))
    if data.starts_local is None:
        raise Invalid(_l("Indiquez la date et l'heure de la réunion."), field="starts_at")
    duration = data.duration_minutes
    if not isinstance(duration, int) or not 5 <= duration <= DURATION_MAX:
        raise Invalid(_l("Durée entre 5 minutes et 12 heures."), field="duration_minutes")
    agenda_text = clean_text(data.agenda, AGENDA_MAX, "agenda")
    return CleanMeeting(title, paris_to_utc(data.starts_local), duration,
                        _check_url(data.visio_url), agenda_text)


def _require_not_cancelled(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise Invalid(_l("Cette réunion est annulée."))


def _publish_meeting(project_id: int, meeting_id: int, op: str) -> None:
    publish(project_room(project_id), "project:meeting",
            {"type": "meeting", "op": op, "project_id": project_id, "meeting_id": meeting_id})


def _meeting_path(meeting: Meeting) -> str:
    return path_for("projects.meetings", project_id=meeting.project_id,
                    _anchor=f"reunion-{meeting.id}")


# Planning, changing, cancelling, answering --------------------------------------------------

def check_create_meeting(actor: User, access: ProjectAccess, data: MeetingData) -> Meeting:
    require(actor, "project.contribute", access)
    return do_create_meeting(actor, access.project, _check_meeting(data))


def do_create_meeting(actor: User, project: Project, clean: CleanMeeting) -> Meeting:
    """The meeting, its agenda entry, and a notification to every member."""
    meeting = Meeting(project_id=project.id, title=clean.title, starts_at=clean.starts_at,
                      duration_minutes=clean.duration_minutes, visio_url=clean.visio_url,
                      agenda=clean.agenda, agenda_html=str(render_markdown(clean.agenda)),
                      created_by_id=actor.id, created_at=utcnow(), sequence=0)
    db.session.add(meeting)
    db.session.flush()
    local = clean.starts_at.astimezone(PARIS)
    text = _l("%(name)s propose une réunion « %(title)s » le %(day)s à %(time)s (%(project)s)",
              name=actor.display_name, title=clean.title, day=local.strftime("%d/%m/%Y"),
              time=local.strftime("%H:%M"), project=project.title)
    url, members_ = _meeting_path(meeting), member_ids(project.id)
    notifications.do_notify_many(members_, "project", actor, "project_meeting", meeting.id,
                                 url=url, text=str(text))
    do_sync_meeting_event(project, meeting, members_)
    _publish_meeting(project.id, meeting.id, "add")
    return meeting


def check_update_meeting(actor: User, target: MeetingAccess, data: MeetingData) -> Meeting:
    require(actor, "project.meeting.manage", target)
    _require_not_cancelled(target.meeting)
    return do_update_meeting(target, _check_meeting(data))


def do_update_meeting(target: MeetingAccess, clean: CleanMeeting) -> Meeting:
    meeting = target.meeting
    meeting.title, meeting.starts_at = clean.title, clean.starts_at
    meeting.duration_minutes, meeting.visio_url = clean.duration_minutes, clean.visio_url
    meeting.agenda = clean.agenda
    meeting.agenda_html = str(render_markdown(clean.agenda))
    meeting.sequence += 1
    do_sync_meeting_event(target.access.project, meeting, member_ids(meeting.project_id))
    _publish_meeting(meeting.project_id, meeting.id, "update")
    return meeting


def check_cancel_meeting(actor: User, target: MeetingAccess) -> Meeting:
    require(actor, "project.meeting.manage", target)
    _require_not_cancelled(target.meeting)
    return do_cancel_meeting(actor, target)


def do_cancel_meeting(actor: User, target: MeetingAccess) -> Meeting:
    """Cancelled, not deleted: the members' calendars (.ics, agenda feeds) must learn it,
    which they only do from a newer version of the same event."""
    meeting, project = target.meeting, target.access.project
    meeting.cancelled_at = utcnow()
    meeting.sequence += 1
    members_ = member_ids(project.id)
    do_sync_meeting_event(project, meeting, members_)
    local = meeting.starts_at.astimezone(PARIS)
    text = _l("%(name)s a annulé la réunion « %(title)s » du %(day)s (%(project)s)",
              name=actor.display_name, title=meeting.title, day=local.strftime("%d/%m/%Y"),
              project=project.title)
    url = _meeting_path(meeting)
    notifications.do_notify_many(members_, "project", actor, "project_meeting", meeting.id,
                                 url=url, text=str(text))
    _publish_meeting(project.id, meeting.id, "update")
    return meeting


def check_rsvp(actor: User, target: MeetingAccess, answer: str) -> MeetingAnswer:
    require(actor, "project.contribute", target.access)
    _require_not_cancelled(target.meeting)
    if answer not in RSVP_ANSWERS:
        raise Invalid(_l("Réponse inconnue."), field="answer")
    return do_rsvp(actor, target.meeting, answer)


def do_rsvp(actor: User, meeting: Meeting, answer: str) -> MeetingAnswer:
    row = db.session.get(MeetingAnswer, (meeting.id, actor.id))
    if row is None:
        row = MeetingAnswer(meeting_id=meeting.id, user_id=actor.id)
        db.session.add(row)
    row.answer, row.updated_at = answer, utcnow()
    db.session.flush()
    _publish_meeting(meeting.project_id, meeting.id, "update")
    return row


# The network agenda -------------------------------------------------------------------------

def _agenda_description(project: Project, meeting: Meeting) -> str:
    head = str(_l("Réunion du projet « %(title)s ». [Ouvrir dans l'espace projet](%(url)s)",
                  title=project.title, url=_meeting_path(meeting)))
    return f"{head}\n\n{meeting.agenda}".strip()


def do_sync_meeting_event(project: Project, meeting: Meeting, invitees: list[int]) -> None:
    """The meeting's entry in the network agenda, seen by the project's members only
    (open project or not: they are the ones invited). No organiser: an organiser sees the
    event whatever the invitees, and one who left a private project must not."""
    event = agenda.do_upsert_owned_event(
        MEETING_SOURCE, meeting.id, kind="projet", title=f"{meeting.title} · {project.title}",
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
        organizer_id=None, description=_agenda_description(project, meeting),
        visio_url=meeting.visio_url, cancelled=meeting.is_cancelled)
    agenda.do_set_invitees(event, invitees)


def do_sync_agenda(project: Project) -> None:
    """After a membership or title change: every meeting's entry follows the project."""
    invitees = member_ids(project.id)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.project_id == project.id)
                                      .order_by(Meeting.id)):
        do_sync_meeting_event(project, meeting, invitees)


# Minutes ------------------------------------------------------------------------------------

def check_attach_minutes(actor: User, target: MeetingAccess, checked: CheckedFile,
                         title: str = "") -> library.Document:
    """The minutes go onto the project's shelf like any document (the leads validate a
    member's, a lead's are published at once) and the meeting links to them."""
    require(actor, "project.meeting.minutes", target)
    meeting = target.meeting
    _require_not_cancelled(meeting)
    if meeting.starts_at > utcnow():
        raise Invalid(_l("Le compte rendu se dépose une fois la réunion commencée."),
                      field="file")
    day = meeting.starts_at.astimezone(PARIS).strftime("%d/%m/%Y")
    title = clean_line(title, library.TITLE_MAX, "title") or str(
        _l("Compte rendu — %(title)s (%(day)s)", title=meeting.title, day=day)
    )[:library.TITLE_MAX]
    data = library.DocumentData(
        title=title, document_type=MINUTES_TYPE,
        summary=str(_l("Compte rendu de la réunion « %(title)s » du %(day)s.",
                       title=meeting.title, day=day)),
        year=meeting.starts_at.astimezone(PARIS).year)
    try:
        [document] = check_submit_documents(actor, target.access, [checked], data)
    except Invalid as error:
        raise Invalid(error.message, field="title" if error.field == "title" else "file") \
            from error
    do_link_minutes(meeting, document)
    return document


def do_link_minutes(meeting: Meeting, document: library.Document) -> None:
    meeting.minutes_document_id = document.id
    _publish_meeting(meeting.project_id, meeting.id, "update")
