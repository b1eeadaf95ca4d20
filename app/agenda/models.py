"""Tables of the agenda feature."""

from __future__ import annotations
