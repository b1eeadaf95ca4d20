"""Plain-text helpers shared by features (not HTML: that is app/sanitize.py)."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case and strip accents, so that "helene" finds "Hélène" on every backend."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def format_size(size: int) -> str:
    """A byte count the way French users read it: "800 Ko", "2 Mo"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} Ko"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} Mo" if megabytes >= 10 or megabytes.is_integer() \
        else f"{megabytes:.1f} Mo".replace(".", ",")
