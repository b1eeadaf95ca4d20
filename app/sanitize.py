"""The single place where user-supplied text becomes HTML.

Every piece of member-written content (posts, comments, profiles, titles…) must go
through this module before being rendered.  Keeping the whole pipeline here means
there is exactly one thing to audit for XSS, and a repository check forbids building
``Markup`` anywhere else.

Pipeline for :func:`render_markdown`:

1. markdown-it-py (CommonMark + tables + strikethrough + linkify) with raw HTML
   disabled, so any ``<tag>`` typed by a member is escaped and shown as text;
2. a bleach ``Cleaner`` with an explicit allowlist, as defence in depth should the
   Markdown layer ever emit something unexpected;
3. a link filter (run by the same ``Cleaner``) that re-checks every ``href`` and
   forces ``rel="nofollow noopener"`` on every link.
"""

from __future__ import annotations

import html
import queue
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote

import bleach
from bleach import html5lib_shim
from markdown_it import MarkdownIt
from markupsafe import Markup

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask import Flask

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "LINK_REL",
    "register",
    "render_inline",
    "render_markdown",
    "to_plain_text",
]

# Images are deliberately absent: they will arrive later as vetted attachments,
# never as arbitrary remote URLs (tracking pixels, mixed content, huge files).
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "hr",
        "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li",
        "a",
        "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip

# ``rel`` is listed because the link filter always writes it; members can never set
# it themselves since raw HTML is escaped. ``start`` keeps "3. foo" numbered from 3.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "rel"}),
    "ol": frozenset({"start"}),
}

ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})

# nofollow: members' links must not lend our ranking to spam.
# noopener: belt and braces should a ``target`` ever be added client-side.
LINK_REL = "nofollow noopener"

_MD_OPTIONS = {"html": False, "linkify": True, "typographer": False, "breaks": True}

# Browsers ignore these characters inside a URL scheme ("java\tscript:" works).
_URL_IGNORED_CHARS = re.compile(r"[\x00-\x20\x7f-\xa0\s`]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def _href_is_safe(href: str) -> bool:
    """Second, stricter opinion on a URL after bleach's own protocol check.

    Markdown percent-encodes odd characters, so ``java&#x09;script:`` reaches us as
    ``java%09script:``.  Browsers treat that as a harmless relative path, but we'd
    rather not ship anything that *looks* like a script URL to any consumer (feed
    readers, mail clients, future code), so we decode and re-check the scheme.
    """
    normalized = href
    for _ in range(3):  # undo nested entity / percent encodings
        decoded = unquote(html.unescape(normalized))
        if decoded == normalized:
            break
        normalized = decoded
    normalized = _URL_IGNORED_CHARS.sub("", normalized).lower()
    if not normalized:
        return False
    match = _SCHEME.match(normalized)
    return match is None or match.group(1) in ALLOWED_PROTOCOLS


class _LinkFilter(html5lib_shim.Filter):
    """Sets ``rel`` on every link and unwraps links whose target was rejected.

    Runs after bleach's sanitizer, so it only ever sees allowlisted tags.  An ``<a>``
    left without a usable ``href`` is removed while its text is kept: the reader still
    sees what the member wrote, just not as a clickable link.
    """

    def __iter__(self) -> Iterator[dict]:
        kept_stack: list[bool] = []
        for token in super().__iter__():
            kind = token["type"]
            if token.get("name") != "a":
                yield token
                continue
            if kind in ("StartTag", "EmptyTag"):
                attrs = dict(token.get("data") or {})
                href = attrs.get((None, "href"))
                keep = bool(href) and _href_is_safe(href)
                if kind == "StartTag":
                    kept_stack.append(keep)
                if not keep:
                    continue
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            elif kind == "EndTag" and kept_stack and not kept_stack.pop():
                continue
            yield token


def _build_block_md() -> MarkdownIt:
    md = MarkdownIt("commonmark", _MD_OPTIONS)
    md.enable(["table", "strikethrough", "linkify"])
    # Left on, "![x](url)" would yield an <img> that the cleaner strips, alt text and
    # all; disabled, it degrades to "!" followed by an ordinary, visible link.
    md.disable("image")
    return md


def _build_inline_md() -> MarkdownIt:
    # "zero" = plain text only; we add linkify and nothing else, so titles never grow
    # emphasis, code spans or paragraphs.
    md = MarkdownIt("zero", _MD_OPTIONS)
    md.enable("linkify")
    return md


def _build_cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes={tag: list(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        protocols=ALLOWED_PROTOCOLS,
        # Unknown tags can only come from a bug upstream; drop them rather than
        # show half-escaped markup.
        strip=True,
        strip_comments=True,
        filters=[_LinkFilter],
    )


class _Renderers:
    """One set of parser instances, used by one caller at a time.

    bleach's Cleaner keeps parser state between calls and linkify-it caches the last
    match on its instance, so a set may not be shared by two threads (or greenlets).
    Sets are lent from a pool rather than kept per thread: under gevent every socket
    event runs in a new greenlet, and building the parsers per event cost more than the
    rendering itself.
    """

    def __init__(self) -> None:
        self.block = _build_block_md()
        self.inline = _build_inline_md()
        self.cleaner = _build_cleaner()


_pool: queue.SimpleQueue[_Renderers] = queue.SimpleQueue()


@contextmanager
def _renderers() -> Iterator[_Renderers]:
    try:
        renderers = _pool.get_nowait()
    except queue.Empty:
        renderers = _Renderers()
    try:
        yield renderers
    finally:
        _pool.put(renderers)


def render_markdown(text: str | None) -> Markup:
    """Render member-written Markdown to HTML that is safe to embed as-is.

    Returns ``Markup`` so Jinja won't escape it a second time; this is the only
    sanctioned way to obtain such a value from user input.
    """
    if not text:
        return Markup("")
    with _renderers() as renderers:
        return Markup(renderers.cleaner.clean(renderers.block.render(str(text))).strip())


def render_inline(text: str | None) -> Markup:
    """Render a short one-line field (title, reason…): escaped, URLs made clickable.

    No block or emphasis syntax, so the result fits inside an ``<h1>`` or a ``<td>``
    and a stray ``*`` in a title stays a ``*``.
    """
    if not text:
        return Markup("")
    with _renderers() as renderers:
        rendered = renderers.inline.renderInline(str(text))
        return Markup(renderers.cleaner.clean(rendered).strip())


_BLOCK_TAGS = frozenset(
    {"p", "pre", "blockquote", "ul", "ol", "table", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_WHITESPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Turns our own sanitized HTML back into readable plain text.

    Working from the rendered HTML (rather than the raw Markdown) guarantees the plain
    text says exactly what the web page shows: same links, same escaped ``<tags>``.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._pending_breaks = 0
        self._pending_space = False
        self._pending_prefix = ""
        # One entry per open list: None for bullets, next number for ordered lists.
        self._lists: list[int | None] = []
        self._pre_depth = 0
        self._cell_index = 0

    def _break(self, count: int) -> None:
        self._pending_breaks = max(self._pending_breaks, count)

    def _write(self, data: str) -> None:
        trailing_space = False
        if not self._pre_depth:
            data = _WHITESPACE.sub(" ", data)
            if data.startswith(" "):
                self._pending_space = True
            trailing_space = data.endswith(" ")
            data = data.strip(" ")
        if not data:
            return
        if self._parts:
            if self._pending_breaks:
                self._parts.append("\n" * self._pending_breaks)
            elif self._pending_space:
                self._parts.append(" ")
        self._parts.append(self._pending_prefix)
        self._parts.append(data)
        self._pending_breaks = 0
        self._pending_prefix = ""
        self._pending_space = trailing_space

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            # A list nested in an item stays attached to it.
            self._break(1 if tag in ("ul", "ol") and self._lists else 2)
        if tag == "ul":
            self._lists.append(None)
        elif tag == "ol":
            start = dict(attrs).get("start") or "1"
            self._lists.append(int(start) if start.isdigit() else 1)
        elif tag == "li":
            self._break(1)
            number = self._lists[-1] if self._lists else None
            marker = "- " if number is None else f"{number}. "
            if number is not None:
                self._lists[-1] = number + 1
            self._pending_prefix = "  " * max(len(self._lists) - 1, 0) + marker
        elif tag == "pre":
            self._pre_depth += 1
        elif tag == "br":
            self._break(1)
        elif tag == "tr":
            self._break(1)
            self._cell_index = 0
        elif tag in ("td", "th"):
            if self._cell_index:
                self._write(" | ")
            self._cell_index += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        if tag in _BLOCK_TAGS:
            self._break(1 if tag in ("ul", "ol") and self._lists else 2)
        if tag == "pre":
            self._pre_depth = max(self._pre_depth - 1, 0)
        elif tag == "li":
            self._break(1)

    def handle_data(self, data: str) -> None:
        self._write(data)

    def text(self) -> str:
        joined = "".join(self._parts)
        lines = [line.rstrip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _truncate(text: str, limit: int) -> str:
    """Cut on a word boundary so excerpts never end mid-word; "…" counts in ``limit``."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():
        last_space = re.search(r"\s\S*$", cut)
        # Fall back to a hard cut for a single over-long word (e.g. a URL).
        if last_space and cut[: last_space.start()].strip():
            cut = cut[: last_space.start()]
    return cut.rstrip(" \t\n,;:.!?-–—") + "…"


def to_plain_text(text: str | None, limit: int | None = None) -> str:
    """Plain-text version of member Markdown, for mail text parts, search and excerpts.

    Returns a ``str`` (not ``Markup``): wherever it is embedded in HTML it gets
    autoescaped like any other untrusted string.
    """
    if not text:
        return ""
    extractor = _TextExtractor()
    extractor.feed(str(render_markdown(text)))
    extractor.close()
    plain = extractor.text()
    if limit is not None:
        plain = _truncate(plain, limit)
    return plain


def register(app: Flask) -> None:
    """Expose the renderers to templates, so views never need to build HTML."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_inline, "inline_md")
    app.add_template_filter(to_plain_text, "plain")
