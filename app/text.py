"""Plain-text helpers shared by features (not HTML: that is app/sanitize.py)."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case and strip accents, so that "helene" finds "Hélène" on every backend."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
