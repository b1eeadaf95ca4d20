"""Tables of the projects feature."""

from __future__ import annotations
