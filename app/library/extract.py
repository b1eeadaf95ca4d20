"""Text extraction from uploaded files, for full-text search.

It runs after the upload's commit as the background job "library.extract" (app/jobs.py,
registered by the services' indexing module): in the `flask jobs worker` process with
REDIS_URL, so that CPU-heavy parsing never runs in a web worker, in a thread of the web
process in embedded mode. Submitting a 50 MB PDF answers at once; the search index is
refreshed when the text arrives.

The services call this module, never the reverse: extraction imports nothing of them.

Every extractor is bounded (pages, characters, inflated bytes): a hostile file can make
extraction give up, never exhaust the server.
"""

from __future__ import annotations

import html
import logging
import re
import zipfile
from pathlib import Path

TEXT_MAX = 500_000
PDF_PAGES_MAX = 300
XML_PART_MAX = 30 * 1024 * 1024
OFFICE_PARTS = {
    "docx": re.compile(r"word/(document|footnotes|endnotes|header\d*|footer\d*)\.xml"),
    "pptx": re.compile(r"ppt/(slides/slide\d+|notesSlides/notesSlide\d+)\.xml"),
    "xlsx": re.compile(r"xl/(sharedStrings|worksheets/sheet\d+)\.xml"),
    "odt": re.compile(r"(content|styles)\.xml"),
    "ods": re.compile(r"content\.xml"),
    "odp": re.compile(r"content\.xml"),
}
_BREAKS = re.compile(r"</(w:p|a:p|text:p|text:h|si|row|c|table:table-cell)>|<(w:br|w:tab|text:s"
                     r"|text:tab|text:line-break)\b[^>]*/?>")
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
log = logging.getLogger(__name__)


def extract_text(path: Path, extension: str) -> str:
    """Plain text of a stored file ("" when it holds none or cannot be read)."""
    if extension == "pdf":
        return _pdf_text(path)
    if extension in OFFICE_PARTS:
        return _office_text(path, extension)
    if extension in ("txt", "md", "csv"):
        raw = path.read_bytes()[: TEXT_MAX * 4]
        try:
            return raw.decode("utf-8-sig")[:TEXT_MAX]
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")[:TEXT_MAX]
    return ""


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    parts: list[str] = []
    size = 0
    for page in reader.pages[:PDF_PAGES_MAX]:
        chunk = page.extract_text() or ""
        parts.append(chunk)
        size += len(chunk)
        if size >= TEXT_MAX:
            break
    return "\n".join(parts)[:TEXT_MAX]


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Inflate at most XML_PART_MAX bytes whatever the entry claims."""
    with archive.open(info) as stream:
        return stream.read(XML_PART_MAX)


def _xml_text(xml: str) -> str:
    # Text runs only: a regular expression, not an XML parser, so no entity expansion
    # can be triggered by a crafted document.
    xml = _BREAKS.sub("\n", xml)
    return html.unescape(_TAGS.sub("", xml))


def _office_text(path: Path, extension: str) -> str:
    pattern = OFFICE_PARTS[extension]
    parts: list[str] = []
    size = 0
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: _natural(i.filename)):
            if not pattern.fullmatch(info.filename):
                continue
            chunk = _xml_text(_read_bounded(archive, info).decode("utf-8", errors="replace"))
            parts.append(chunk)
            size += len(chunk)
            if size >= TEXT_MAX:
                break
    text = "\n".join(parts)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()
                     if line.strip())[:TEXT_MAX]


def _natural(name: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]
