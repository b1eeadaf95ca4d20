"""What a library file is, decided by its content: the name only picks among text formats.

Office formats are zip containers: they are told apart by their inner structure, after the
zip's central directory (read without decompressing anything) shows it is no zip bomb.
"""

from __future__ import annotations

import io
import zipfile

import filetype
from flask_babel import lazy_gettext as _l

from ..errors import Invalid
from ..text import format_size
from ..uploads import DOCUMENT_TYPES, CheckedFile, clean_filename

LIBRARY_TYPES = {
    **DOCUMENT_TYPES,
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
}
TEXT_EXTENSIONS = ("txt", "md", "csv")
BINARY_KINDS = {"pdf", "png", "jpg", "webp"}
# Zip containers: limits checked on the central directory before anything is inflated.
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_TOTAL = 300 * 1024 * 1024
ZIP_MAX_RATIO = 100
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx",
         "ppt/presentation.xml": "pptx"}
# Office files carrying macros are refused even when otherwise well-formed.
MACRO_MARKERS = ("vbaproject.bin", "basic/", "scripts/")
_CONTROL = {*range(0, 9), 11, *range(14, 32), 127}


def _label(raw_name: str | None) -> str:
    return clean_filename(raw_name, "")[:-1] or "fichier"


def _refuse(raw_name: str | None) -> Invalid:
    return Invalid(_l("« %(name)s » n'est pas d'un type accepté (PDF, documents bureautiques, "
                      "images PNG, JPEG ou WebP, texte, Markdown ou CSV).",
                      name=_label(raw_name)), field="files")


def _name_extension(raw_name: str | None) -> str:
    name = (raw_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def zip_kind(data: bytes, raw_name: str | None = None) -> str:
    """docx/xlsx/pptx/odt/ods/odp, from the container's structure; Invalid otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _refuse(raw_name) from None
    total = sum(e.file_size for e in entries)
    bomb = len(entries) > ZIP_MAX_ENTRIES or total > ZIP_MAX_TOTAL or any(
        e.file_size > 1024 * 1024 and e.file_size > ZIP_MAX_RATIO * max(e.compress_size, 1)
        for e in entries)
    if bomb:
        raise Invalid(_l("« %(name)s » est une archive anormalement compressée : elle est "
                         "refusée par sécurité.", name=_label(raw_name)), field="files")
    names = {e.filename for e in entries}
    lowered = {n.lower() for n in names}
    if any(n.endswith(MACRO_MARKERS[0]) or n.startswith(MACRO_MARKERS[1:]) for n in lowered):
        raise Invalid(_l("« %(name)s » contient des macros : enregistrez-le sans macros "
                         "puis déposez-le à nouveau.", name=_label(raw_name)), field="files")
    if "mimetype" in names:
        info = archive.getinfo("mimetype")
        if info.file_size <= 100:
            kind = OPENDOCUMENT.get(archive.read(info).decode("ascii", "replace").strip())
            if kind:
                return kind
    if "[Content_Types].xml" in names:
        for marker, kind in OOXML.items():
            if marker in names:
                return kind
    raise _refuse(raw_name)


def text_kind(data: bytes, raw_name: str | None) -> str | None:
    """txt/md/csv when the bytes are text (UTF-8 or Latin-1 without control characters)
    and the name says which; None for binary content."""
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = data.decode("cp1252", errors="replace")
        if "\ufffd" in decoded:
            return None
    if any(ord(c) in _CONTROL for c in decoded[:1_000_000]):
        return None
    extension = _name_extension(raw_name)
    if extension in ("", "txt", "text"):
        return "txt"
    if extension in ("md", "markdown"):
        return "md"
    if extension == "csv":
        return "csv"
    return ""


def check_library_file(raw_name: str | None, data: bytes, max_bytes: int) -> CheckedFile:
    """Validate one file for the library; Invalid names the file and says what is wrong."""
    label = _label(raw_name)
    if not data:
        raise Invalid(_l("« %(name)s » est vide.", name=label), field="files")
    if len(data) > max_bytes:
        raise Invalid(_l("« %(name)s » dépasse la taille autorisée (%(size)s).", name=label,
                         size=format_size(max_bytes)), field="files")
    guessed = filetype.guess(data)
    if guessed is not None and guessed.extension in BINARY_KINDS:
        extension = guessed.extension
    elif data.startswith(b"PK\x03\x04"):
        extension = zip_kind(data, raw_name)
    elif guessed is None:
        extension = text_kind(data, raw_name) or ""
    else:
        extension = ""
    if extension not in LIBRARY_TYPES:
        raise _refuse(raw_name)
    return CheckedFile(data=data, filename=clean_filename(raw_name, extension),
                       extension=extension, content_type=LIBRARY_TYPES[extension])


def read_uploads(uploads: list, max_files: int, max_bytes: int) -> list[CheckedFile]:
    """Each uploaded file (werkzeug FileStorage) checked by its content, reading at most the
    limit + 1 byte of it; one file more than allowed is read so the service can refuse."""
    chosen = [u for u in uploads if u and u.filename][: max_files + 1]
    return [check_library_file(u.filename, u.stream.read(max_bytes + 1), max_bytes)
            for u in chosen]

