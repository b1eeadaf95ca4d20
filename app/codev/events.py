"""Socket.IO handlers of the codev feature."""

from __future__ import annotations
