"""The chat's browser modules (static/js/chat.js and static/js/chat/*.js), read as text: the
modules stay small, and message markup is not theirs to build (no URL, no HTML but the
server's fragments). The words they write are checked with every module's in
tests/test_client_strings.py."""

from __future__ import annotations

import re
from pathlib import Path

JS = Path(__file__).resolve().parents[2] / "static" / "js"
MODULES = [JS / "chat.js", *sorted((JS / "chat").glob("*.js"))]


def _sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in MODULES}


def test_the_entry_module_imports_small_modules():
    assert len(MODULES) > 5
    for path in MODULES:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 200, path.name


def test_no_url_and_no_markup_of_messages_in_the_chat_modules():
    for name, source in _sources().items():
        assert not re.search(r"""["'`]/(chat|membres)/""", source), name
        assert ".href =" not in source.replace("olderLink.href =", ""), name
        if name != "messages.js":
            assert "innerHTML" not in source, name
    # The one HTML it sets is the server's fragment of a message.
    assert _sources()["messages.js"].count("innerHTML") == 1
