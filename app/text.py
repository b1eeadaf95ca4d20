"""Plain-text helpers shared by features (not HTML: that is app/sanitize.py)."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


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


def safe_path(url: str | None, limit: int = 500) -> str | None:
    """`url` if it is a same-site absolute path ("/murs/3"), else None.

    Every redirect to a user-supplied `next` and every stored link goes through here:
    "//evil", "https://evil", "javascript:" or a backslash trick never get through.
    """
    if not url or not isinstance(url, str) or len(url) > limit:
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/") or url.startswith("//") \
            or "\\" in url or any(ord(c) < 32 for c in url):
        return None
    return url
