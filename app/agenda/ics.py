"""iCalendar files (RFC 5545) for one event and for a member's private feed."""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Calendar, Event

from ..db import utcnow
from ..sanitize import to_plain_text
from .models import AgendaEvent

PRODID = "-//Reseau des catalyseurs territoriaux//Agenda//FR"


def _uid(event: AgendaEvent, host: str) -> str:
    # Stable across edits, so calendar apps update their copy instead of adding another.
    return f"agenda-{event.id}@{host}"


def calendar(events: Iterable[AgendaEvent], *, base_url: str, name: str) -> bytes:
    host = base_url.split("://", 1)[-1].split("/", 1)[0] or "catalyseurs.local"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = utcnow()
    for item in events:
        entry = Event()
        entry.add("uid", _uid(item, host))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", item.starts_at)
        entry.add("dtend", item.ends_at)
        entry.add("summary", item.title)
        entry.add("sequence", item.sequence)
        entry.add("last-modified", item.updated_at)
        entry.add("url", f"{base_url}/agenda/{item.id}")
        details = [to_plain_text(item.description)] if item.description else []
        if item.visio_url:
            details.append(f"Visio : {item.visio_url}")
        if details:
            entry.add("description", "\n\n".join(details))
        location = item.location or item.visio_url
        if location:
            entry.add("location", location)
        entry.add("status", "CANCELLED" if item.is_cancelled else "CONFIRMED")
        cal.add_component(entry)
    return cal.to_ical()
