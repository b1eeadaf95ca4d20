"""Small real files built in memory for the library tests (and the real-browser test)."""

from __future__ import annotations

import io
import zipfile

from PIL import Image


def pdf(text: str) -> bytes:
    """A minimal one-page PDF whose page shows `text` (ASCII) in Helvetica."""
    content = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return out


def _zip(entries: dict[str, bytes | str], first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first), entries[first],
                             compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            if name != first:
                archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/' \
    'package/2006/content-types"></Types>'


def docx(*paragraphs: str, macros: bool = False) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    entries = {"[Content_Types].xml": CONTENT_TYPES,
               "word/document.xml": f'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>'
                                    f"{body}</w:body></w:document>"}
    if macros:
        entries["word/vbaProject.bin"] = b"\x00" * 64
    return _zip(entries)


def pptx(*slides: str) -> bytes:
    entries: dict[str, bytes | str] = {"[Content_Types].xml": CONTENT_TYPES,
                                       "ppt/presentation.xml": "<p:presentation/>"}
    for n, text in enumerate(slides, 1):
        entries[f"ppt/slides/slide{n}.xml"] = \
            f"<p:sld><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:sld>"
    return _zip(entries)


def xlsx(*cells: str) -> bytes:
    strings = "".join(f"<si><t>{c}</t></si>" for c in cells)
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<workbook/>",
                 "xl/sharedStrings.xml": f"<sst>{strings}</sst>"})


def opendocument(kind: str, *paragraphs: str) -> bytes:
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    return _zip({"mimetype": f"application/vnd.oasis.opendocument.{kind}",
                 "content.xml": f"<office:document-content><office:body>{body}"
                                "</office:body></office:document-content>"},
                first="mimetype")


def zip_bomb() -> bytes:
    """A "docx" whose document.xml inflates to 200 MB from a few hundred kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 95, 107)).save(buffer, "PNG")
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
       b'<circle r="4"/></svg>')
