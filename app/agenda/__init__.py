"""The network's agenda: events, RSVP, reminders, .ics files and private calendar feeds."""
