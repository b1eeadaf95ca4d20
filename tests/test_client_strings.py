"""The words written by the browser modules come from the server's catalogues."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.client_strings import STRINGS
from tests.conftest import login

JS = Path(__file__).resolve().parent.parent / "static" / "js"
KEY_USE = re.compile(r"""\bt\(\s*[`"']([a-z_.]+)""")
TEMPLATE_KEY_USE = re.compile(r"""\bt\(\s*`([a-z_.]+)\$\{""")


def _block(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="client-strings">(.*?)</script>',
                      page, re.S)
    assert found, "the page carries no client strings"
    return json.loads(found.group(1))


def test_every_key_the_modules_use_exists():
    used, prefixes = set(), set()
    for module in JS.rglob("*.js"):
        source = module.read_text(encoding="utf-8")
        used |= set(KEY_USE.findall(source))
        prefixes |= set(TEMPLATE_KEY_USE.findall(source))
    assert used, "no t() call found: the pattern is stale"
    assert sorted(k for k in used - prefixes if k not in STRINGS) == []
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in STRINGS), prefix


def test_pages_carry_the_strings_in_the_members_language(client, member):
    login(client, member)
    strings = _block(client.get("/").text)
    assert strings["chat.typing.one"] == "%(name)s écrit…"
    assert set(strings) == set(STRINGS)
    client.post("/langue", data={"lg-locale": "en"})
    strings = _block(client.get("/").text)
    assert strings["chat.typing.one"] != "%(name)s écrit…"

