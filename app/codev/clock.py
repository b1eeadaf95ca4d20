"""The one clock of co-development sessions.

Every instant the timer needs (a phase starting, "now" sent to screens) comes from `now()`,
so tests freeze or move time by replacing this function, and nothing else reads the clock.
"""

from __future__ import annotations

from datetime import datetime

from ..db import utcnow


def now() -> datetime:
    return utcnow()
