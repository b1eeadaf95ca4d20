"""Tables of the library feature."""

from __future__ import annotations
