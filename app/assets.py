"""Fingerprinted static files: the content hash in every static URL.

`url_for('static', filename='js/chat.js')` gives `/static/js/chat.<hash>.js` (a `url_defaults`
hook: templates and code keep calling `url_for` as before). A fingerprinted URL never changes
meaning, so it is served with `Cache-Control: public, max-age=31536000, immutable`; the plain
URL (`/static/js/chat.js`) still answers, without long cache.

ES modules import each other with relative specifiers (`./chat/conversation.js`), which the
browser resolves against the importing module's URL. So the served text of a module has its
relative specifiers rewritten to the fingerprinted names (CSS: its relative `url(...)` and
`@import`); every reference to a module is then the same URL, and the browser instantiates it
once. A file's fingerprint covers its own bytes and those of everything it imports, directly or
not: changing `realtime.js` changes the URL of `chat.js` too, whose rewritten text names the new
`realtime.<hash>.js`.

The manifest is computed once per process from the files' contents; with `reload` (debug) it is
recomputed when a file's size or modification time changes. `flask assets build DIR` writes
every file, as is and fingerprinted, under `DIR/static/` for nginx to serve (docs/deploy.md);
a URL nginx does not find falls through to the application, which serves the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app, request, send_from_directory
from flask.cli import with_appcontext
from werkzeug.exceptions import NotFound

HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
# `import "./x.js"`, `import {a} from "../x.js"`, `export * from "./x.js"`, `import("./x.js")`.
JS_REFERENCE = re.compile(
    r"""(?P<lead>\b(?:import|from)\s*\(?\s*)(?P<q>["'])(?P<ref>\.\.?/[^"'\s]+?)(?P=q)""")
CSS_REFERENCE = re.compile(
    r"""(?P<lead>url\(\s*|@import\s+)(?P<q>["']?)(?P<ref>[^"'()\s]+)(?P=q)""")
REWRITTEN = {".js": JS_REFERENCE, ".mjs": JS_REFERENCE, ".css": CSS_REFERENCE}
TEXT_TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
              ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class Found:
    """What a requested static filename designates."""

    path: str  # the file, relative to the static folder ("js/chat.js")
    fingerprinted: bool  # the request named it with a hash
    current: bool  # ... and that hash is the file's current one


@dataclass
class Manifest:
    root: Path
    hashes: dict[str, str] = field(default_factory=dict)  # path -> fingerprint
    references: dict[str, set[str]] = field(default_factory=dict)  # path -> paths it names
    rewritten: dict[str, bytes] = field(default_factory=dict)  # filled lazily

    def url_name(self, path: str) -> str:
        fingerprint = self.hashes.get(path)
        return path if fingerprint is None else fingerprinted_name(path, fingerprint)


def fingerprinted_name(path: str, fingerprint: str) -> str:
    stem, ext = posixpath.splitext(path)
    return f"{stem}.{fingerprint}{ext}"


def _resolve(importer: str, ref: str, files: set[str]) -> tuple[str, str] | None:
    """The static file a relative reference names, and the reference's ?query/#fragment."""
    if ref.startswith(("/", "#", "data:")) or ":" in ref.split("/")[0]:
        return None
    cut = min((i for i in (ref.find("?"), ref.find("#")) if i >= 0), default=len(ref))
    target = posixpath.normpath(posixpath.join(posixpath.dirname(importer), ref[:cut]))
    if target.startswith("..") or target not in files:
        return None
    return target, ref[cut:]


def _scan(root: Path) -> dict[str, Path]:
    files = {}
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if not name.startswith("."):
                full = Path(directory, name)
                files[full.relative_to(root).as_posix()] = full
    return files


def build_manifest(root: Path) -> Manifest:
    files = _scan(root)
    names = set(files)
    raw: dict[str, str] = {}
    manifest = Manifest(root=root)
    for path, full in files.items():
        data = full.read_bytes()
        raw[path] = hashlib.sha256(data).hexdigest()
        pattern = REWRITTEN.get(posixpath.splitext(path)[1])
        if pattern is not None:
            text = data.decode("utf-8", errors="replace")
            found = (_resolve(path, m.group("ref"), names) for m in pattern.finditer(text))
            manifest.references[path] = {r[0] for r in found if r is not None} - {path}
    for path in files:
        closure = _closure(path, manifest.references)
        if closure:  # covers every file it reaches; cycles included
            digest = hashlib.sha256(raw[path].encode())
            for other in sorted(closure):
                digest.update(raw[other].encode())
            manifest.hashes[path] = digest.hexdigest()[:HASH_LENGTH]
        else:
            manifest.hashes[path] = raw[path][:HASH_LENGTH]
    return manifest


def _closure(path: str, references: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(references.get(path, ()))
    while stack:
        current = stack.pop()
        if current not in seen and current != path:
            seen.add(current)
            stack.extend(references.get(current, ()))
    return seen


def rewrite(manifest: Manifest, path: str) -> bytes | None:
    """The text of a JS module or stylesheet with its references fingerprinted (None: no
    references, serve the file as is)."""
    if not manifest.references.get(path):
        return None
    cached = manifest.rewritten.get(path)
    if cached is not None:
        return cached
    pattern = REWRITTEN[posixpath.splitext(path)[1]]
    names = set(manifest.hashes)

    def replace(match: re.Match) -> str:
        ref = match.group("ref")
        resolved = _resolve(path, ref, names)
        if resolved is None:
            return match.group(0)
        target, suffix = resolved
        bare = ref[:len(ref) - len(suffix)] if suffix else ref
        new = posixpath.join(posixpath.dirname(bare),
                             fingerprinted_name(posixpath.basename(bare), manifest.hashes[target]))
        return f"{match.group('lead')}{match.group('q')}{new}{suffix}{match.group('q')}"

    text = (manifest.root / path).read_bytes().decode("utf-8")
    body = pattern.sub(replace, text).encode("utf-8")
    manifest.rewritten[path] = body
    return body


class Assets:
    """The fingerprints of one static folder, computed once (or again on change, `reload`)."""

    def __init__(self, root: str | Path, reload: bool = False):
        self.root = Path(root)
        self.reload = reload
        self._lock = threading.Lock()
        self._manifest: Manifest | None = None
        self._signature: tuple | None = None

    def _current_signature(self) -> tuple:
        entries = []
        for path, full in sorted(_scan(self.root).items()):
            stat = full.stat()
            entries.append((path, stat.st_mtime_ns, stat.st_size))
        return tuple(entries)

    def manifest(self) -> Manifest:
        if self._manifest is not None and not self.reload:
            return self._manifest
        with self._lock:
            if self._manifest is None or self.reload:
                signature = self._current_signature() if self.reload else None
                if self._manifest is None or signature != self._signature:
                    self._manifest = build_manifest(self.root)
                    self._signature = signature
            return self._manifest

    def url_name(self, filename: str) -> str:
        return self.manifest().url_name(filename)

    def lookup(self, filename: str) -> Found | None:
        manifest = self.manifest()
        if filename in manifest.hashes:
            return Found(filename, fingerprinted=False, current=False)
        match = FINGERPRINTED.match(filename)
        if match is None:
            return None
        path = match.group("stem") + match.group("ext")
        if path not in manifest.hashes:
            return None
        return Found(path, fingerprinted=True, current=manifest.hashes[path] == match["hash"])

    def content(self, path: str) -> bytes | None:
        return rewrite(self.manifest(), path)

    def build(self, target: Path) -> tuple[int, int]:
        """Write every file as is and fingerprinted under target/static/; returns (written,
        already there). Fingerprinted files are never rewritten nor removed, so the pages of
        processes of the previous release still find theirs."""
        manifest = self.manifest()
        written = kept = 0
        for path in sorted(manifest.hashes):
            body = rewrite(manifest, path)
            source = (manifest.root / path).read_bytes()
            for name, data, immutable in ((manifest.url_name(path), body or source, True),
                                          (path, source, False)):
                destination = target / "static" / name
                if immutable and destination.exists():
                    kept += 1
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                partial = destination.with_name(f".{destination.name}.tmp")
                partial.write_bytes(data)
                os.chmod(partial, 0o644)
                os.replace(partial, destination)
                written += 1
        return written, kept


def serve_static(filename: str):
    """The `static` endpoint: fingerprinted URLs cached for a year, plain ones revalidated."""
    assets: Assets = current_app.extensions["assets"]
    found = assets.lookup(filename)
    if found is None:
        raise NotFound()
    if not found.fingerprinted:
        return send_from_directory(assets.root, found.path)  # no-cache, conditional
    body = assets.content(found.path)
    if body is None:
        response = send_from_directory(assets.root, found.path)
    else:
        ext = posixpath.splitext(found.path)[1]
        response = current_app.response_class(body, content_type=TEXT_TYPES[ext])
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        response.make_conditional(request)
    # A hash of an earlier (or later) release: the current file, but not to be kept.
    response.headers["Cache-Control"] = IMMUTABLE if found.current else "no-cache"
    if found.current:
        response.headers.pop("Expires", None)
    return response


def _fingerprint_url(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = current_app.extensions["assets"].url_name(values["filename"])


@click.group("assets")
def assets_cli() -> None:
    """Fingerprinted static files."""


@assets_cli.command("build")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def build_command(target: Path) -> None:
    """Write the static files, as is and fingerprinted, under TARGET/static/ (nginx's root)."""
    written, kept = current_app.extensions["assets"].build(target)
    click.echo(f"{written} files written, {kept} fingerprinted files already there "
               f"in {target / 'static'}")


def init_app(app: Flask) -> None:
    app.extensions["assets"] = Assets(app.static_folder, reload=app.debug)
    app.view_functions["static"] = serve_static
    app.url_defaults(_fingerprint_url)
    app.cli.add_command(assets_cli)
