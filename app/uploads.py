"""Checking uploaded files: the content decides the type, never the name alone.

Shared by every feature that accepts files (wall attachments now, the library later).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import filetype
from flask_babel import lazy_gettext as _l

from .errors import Invalid
from .text import format_size

# Extension -> MIME type of what we accept, as detected from the file's bytes.
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
FILENAME_MAX = 120


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    filename: str
    extension: str
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.extension in IMAGE_TYPES


def clean_filename(raw: str | None, extension: str) -> str:
    """A display name safe anywhere: no path, no control characters, bounded length,
    and ending with the extension that matches the content."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name)
                   if unicodedata.category(c)[0] != "C")
    stem = re.sub(r"\s+", " ", name.rsplit(".", 1)[0] if "." in name else name).strip(" .")
    stem = stem[: FILENAME_MAX - len(extension) - 1] or "fichier"
    return f"{stem}.{extension}"


def check_upload(raw_name: str | None, data: bytes, allowed: dict[str, str],
                 max_bytes: int) -> CheckedFile:
    """Validate one uploaded file; raises Invalid with a message naming the file."""
    label = clean_filename(raw_name, "")[:-1] or "fichier"
    if not data:
        raise Invalid(_l("« %(name)s » est vide.", name=label), field="files")
    if len(data) > max_bytes:
        raise Invalid(_l("« %(name)s » dépasse la taille autorisée (%(size)s).", name=label,
                         size=format_size(max_bytes)), field="files")
    kind = filetype.guess(data)
    if kind is None or kind.extension not in allowed:
        raise Invalid(_l("« %(name)s » n'est pas d'un type accepté.", name=label),
                      field="files")
    return CheckedFile(data=data, filename=clean_filename(raw_name, kind.extension),
                       extension=kind.extension, content_type=allowed[kind.extension])
