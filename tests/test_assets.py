"""Fingerprinted static files (app/assets.py): URLs carry the content hash, imports inside
served modules too, fingerprinted URLs are cached for a year and plain ones are not."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from flask import url_for

from app.assets import FINGERPRINTED, IMMUTABLE, Assets
from tests.conftest import login

TAG_URL = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)="(/static/[^"]+)\"""")
IMPORT = re.compile(r"""\b(?:import|from)\s*\(?\s*["']([^"']+)["']""")


def write(root: Path, path: str, text: str) -> Path:
    full = root / path
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_text(text, encoding="utf-8")
    return full


@pytest.fixture
def static(tmp_path):
    root = tmp_path / "static"
    write(root, "js/main.js", 'import { a } from "./lib/a.js";\nimport "../css/none.js";\n'
                              '// a comment naming "./missing.js"\nexport const main = a;\n')
    write(root, "js/lib/a.js", 'import { b } from "../b.js";\nexport const a = b + 1;\n')
    write(root, "js/b.js", "export const b = 1;\n")
    write(root, "css/site.css", '@import "parts/base.css";\n'
                                'body { background: url("../img/bg.svg?x=1#top"); }\n'
                                '.logo { background: url(data:image/png;base64,AAAA); }\n'
                                '.far { background: url(https://example.org/a.png); }\n')
    write(root, "css/parts/base.css", "p { margin: 0; }\n")
    write(root, "img/bg.svg", "<svg/>")
    return root


def test_url_carries_the_content_hash_and_changes_with_the_content(static):
    name = Assets(static).url_name("js/b.js")
    assert re.fullmatch(r"js/b\.[0-9a-f]{12}\.js", name)
    assert Assets(static).url_name("js/b.js") == name  # stable for the same bytes
    write(static, "js/b.js", "export const b = 2;\n")
    assert Assets(static).url_name("js/b.js") != name


def test_a_dependency_change_changes_the_url_of_every_importer(static):
    before = {p: Assets(static).url_name(p) for p in ("js/main.js", "js/lib/a.js", "js/b.js",
                                                      "css/site.css")}
    write(static, "js/b.js", "export const b = 3;\n")
    after = {p: Assets(static).url_name(p) for p in before}
    assert all(before[p] != after[p] for p in ("js/main.js", "js/lib/a.js", "js/b.js"))
    assert before["css/site.css"] == after["css/site.css"]


def test_without_reload_the_manifest_is_computed_once(static):
    assets = Assets(static)
    name = assets.url_name("js/b.js")
    write(static, "js/b.js", "export const b = 4;\n")
    assert assets.url_name("js/b.js") == name


def test_with_reload_a_changed_file_gets_a_new_url(static):
    assets = Assets(static, reload=True)
    name = assets.url_name("js/main.js")
    full = write(static, "js/b.js", "export const b = 5;\n")
    os.utime(full, ns=(1, 1))  # a different mtime, whatever the clock's resolution
    assert assets.url_name("js/main.js") != name


def test_relative_imports_are_rewritten_to_fingerprinted_names(static):
    assets = Assets(static)
    text = assets.content("js/main.js").decode()
    a_name = assets.url_name("js/lib/a.js").removeprefix("js/")
    assert f'from "./{a_name}"' in text
    assert 'import "../css/none.js"' in text  # names no file: left alone
    assert '"./missing.js"' in text
    lib = assets.content("js/lib/a.js").decode()
    assert f'from "../{assets.url_name("js/b.js").removeprefix("js/")}"' in lib
    assert assets.content("js/b.js") is None  # nothing to rewrite: served as is


def test_stylesheet_references_are_rewritten(static):
    assets = Assets(static)
    css = assets.content("css/site.css").decode()
    base = assets.url_name("css/parts/base.css").removeprefix("css/")
    svg = assets.url_name("img/bg.svg").removeprefix("img/")
    assert f'@import "{base}"' in css
    assert f'url("../img/{svg}?x=1#top")' in css
    assert "url(data:image/png;base64,AAAA)" in css
    assert "url(https://example.org/a.png)" in css


def test_import_cycles_are_fingerprinted(tmp_path):
    root = tmp_path / "static"
    write(root, "x.js", 'import "./y.js";\n')
    write(root, "y.js", 'import "./x.js";\n')
    first = Assets(root)
    assert f'import "./{first.url_name("y.js")}"' in first.content("x.js").decode()
    write(root, "y.js", 'import "./x.js";\n// changed\n')
    assert Assets(root).url_name("x.js") != first.url_name("x.js")


def test_references_outside_the_static_folder_are_not_followed(tmp_path):
    root = tmp_path / "static"
    write(tmp_path, "secret.js", "export const s = 1;\n")
    write(root, "js/evil.js", 'import "../../secret.js";\n')
    assets = Assets(root)
    assert assets.content("js/evil.js") is None
    assert assets.lookup("../secret.js") is None


def test_lookup_of_fingerprinted_plain_stale_and_unknown_names(static):
    assets = Assets(static)
    current = assets.url_name("js/b.js")
    found = assets.lookup(current)
    assert (found.path, found.fingerprinted, found.current) == ("js/b.js", True, True)
    found = assets.lookup("js/b.000000000000.js")
    assert (found.path, found.fingerprinted, found.current) == ("js/b.js", True, False)
    assert assets.lookup("js/b.js").fingerprinted is False
    assert assets.lookup("js/nope.0123456789ab.js") is None
    assert assets.lookup("js/nope.js") is None


def _crawl(client, start: list[str]) -> dict[str, object]:
    """Every static URL reachable from `start` through module imports, with its response."""
    seen: dict[str, object] = {}
    queue = list(start)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if url.endswith(".js") and response.status_code == 200:
            for spec in IMPORT.findall(response.get_data(as_text=True)):
                if spec.startswith("."):
                    queue.append(urljoin(url, spec))
    return seen


@pytest.mark.parametrize("page", ["core.home", "chat.index", "walls.index", "projects.index",
                                  "codev.index", "library.index", "agenda.index"])
def test_every_script_and_stylesheet_of_a_page_is_fingerprinted_and_cached(app, client, member,
                                                                           page):
    login(client, member)
    with app.test_request_context():
        page_url = url_for(page)
    response = client.get(page_url, follow_redirects=True)
    assert response.status_code == 200
    urls = TAG_URL.findall(response.get_data(as_text=True))
    assert any(u.endswith(".js") for u in urls) and any(u.endswith(".css") for u in urls)
    crawled = _crawl(client, urls)
    assert len(crawled) > len(urls)  # imports were followed
    for url, served in crawled.items():
        assert FINGERPRINTED.match(url.rsplit("/", 1)[1]), url
        assert served.status_code == 200, url
        assert served.headers["Cache-Control"] == IMMUTABLE, url
        assert "no-store" not in served.headers["Cache-Control"]


def test_chat_module_imports_its_dependencies_fingerprinted(app, client):
    with app.test_request_context():
        chat = url_for("static", filename="js/chat.js")
        conversation = url_for("static", filename="js/chat/conversation.js")
        realtime = url_for("static", filename="js/realtime.js")
    text = client.get(chat).get_data(as_text=True)
    assert f'"./chat/{conversation.rsplit("/", 1)[1]}"' in text
    inner = client.get(conversation).get_data(as_text=True)
    # The same URL as base.html's <script>: the browser runs realtime.js (one socket) once.
    assert f'"../{realtime.rsplit("/", 1)[1]}"' in inner
    assert client.get(chat).headers["Content-Type"].startswith("text/javascript")


def test_the_login_page_links_fingerprinted_files(client):
    urls = TAG_URL.findall(client.get("/connexion").get_data(as_text=True))
    assert urls and all(FINGERPRINTED.match(u.rsplit("/", 1)[1]) for u in urls)
    assert all(client.get(u).headers["Cache-Control"] == IMMUTABLE for u in urls)


def test_plain_and_stale_urls_answer_without_long_cache(client):
    plain = client.get("/static/js/chat.js")
    assert plain.status_code == 200
    assert "immutable" not in plain.headers["Cache-Control"]
    assert "max-age=31536000" not in plain.headers["Cache-Control"]
    assert 'from "./chat/conversation.js"' in plain.get_data(as_text=True)  # the file as is
    stale = client.get("/static/js/chat.000000000000.js")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/js/absent.0123456789ab.js").status_code == 404
    assert client.get("/static/js/absent.js").status_code == 404


def test_a_fingerprinted_module_answers_304_to_its_etag(app, client):
    with app.test_request_context():
        url = url_for("static", filename="js/chat.js")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_url_for_follows_a_changed_file(app, tmp_path):
    root = tmp_path / "static"
    write(root, "js/app.js", "export const v = 1;\n")
    app.extensions["assets"] = Assets(root, reload=True)
    with app.test_request_context():
        before = url_for("static", filename="js/app.js")
        full = write(root, "js/app.js", "export const v = 2;\n")
        os.utime(full, ns=(1, 1))
        after = url_for("static", filename="js/app.js")
    assert before != after
    served = app.test_client().get(after)
    assert served.status_code == 200 and served.data == b"export const v = 2;\n"


def test_build_writes_plain_and_fingerprinted_files_for_nginx(app, tmp_path):
    target = tmp_path / "public"
    result = app.test_cli_runner().invoke(args=["assets", "build", str(target)])
    assert result.exit_code == 0, result.output
    assets = app.extensions["assets"]
    chat = assets.url_name("js/chat.js")
    assert (target / "static" / chat).read_bytes() == assets.content("js/chat.js")
    assert (target / "static" / "js/chat.js").read_bytes() == \
        (Path(app.static_folder) / "js/chat.js").read_bytes()
    logo = assets.url_name("img/logo.svg")
    assert (target / "static" / logo).read_bytes() == \
        (Path(app.static_folder) / "img/logo.svg").read_bytes()
    again = app.test_cli_runner().invoke(args=["assets", "build", str(target)])
    assert again.exit_code == 0 and "fingerprinted files already there" in again.output
    assert not list((target / "static").rglob(".*.tmp"))


def test_project_modules_import_each_other_only_by_relative_specifiers(app):
    """Only `./` and `../` specifiers are rewritten: an absolute `/static/js/x.js` would load
    a second, unfingerprinted instance of the module (a second socket for realtime.js)."""
    root = Path(app.static_folder) / "js"
    def code(path: Path) -> str:  # without // comment lines
        lines = path.read_text(encoding="utf-8").splitlines()
        return "\n".join(line for line in lines if not line.lstrip().startswith("//"))

    specifiers = [(path.name, spec) for path in root.rglob("*.js")
                  for spec in IMPORT.findall(code(path))]
    assert len(specifiers) > 30
    assert [s for s in specifiers if not s[1].startswith(("./", "../"))] == []
