"""The English catalogue is complete and consistent, and members who pick English get it."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import login

TRANSLATIONS = Path(__file__).resolve().parent.parent / "app" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def read_catalogue():
    with EN_PO.open("rb") as fh:
        return read_po(fh, locale="en")


def entries(catalogue):
    return [message for message in catalogue if message.id]


def strings_of(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def ids_of(message, count: int) -> list[str]:
    """The msgid each msgstr translates: msgstr[0] the singular, the others the plural."""
    if not message.pluralizable:
        return [message.id]
    return [message.id[0]] + [message.id[1]] * (count - 1)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """`make test` compiles the catalogues; do it here too when running plain pytest."""
    if EN_MO.exists() and EN_MO.stat().st_mtime >= EN_PO.stat().st_mtime:
        return
    catalogue = read_catalogue()
    fd, tmp = tempfile.mkstemp(dir=EN_MO.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalogue)
        os.chmod(tmp, 0o644)
        os.replace(tmp, EN_MO)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def test_en_catalogue_is_fully_translated():
    catalogue = read_catalogue()
    messages = entries(catalogue)
    assert messages, "the English catalogue is empty"
    assert not catalogue.fuzzy
    fuzzy = [message.id for message in messages if message.fuzzy]
    untranslated = [message.id for message in messages
                     if not all(s and s.strip() for s in strings_of(message))]
    assert fuzzy == []
    assert untranslated == []


def test_en_placeholders_match_msgids():
    catalogue = read_catalogue()
    mismatches = []
    for message in entries(catalogue):
        strings = strings_of(message)
        for source, translated in zip(ids_of(message, len(strings)), strings, strict=True):
            if placeholders(source) != placeholders(translated):
                mismatches.append((source, translated))
    assert mismatches == []


def test_member_choosing_english_sees_english(client, member):
    login(client, member)
    response = client.post("/langue", data={"lg-locale": "en"})
    assert response.status_code == 302

    home = client.get("/").get_data(as_text=True)
    assert "News feed" in home
    assert "Fil d&#39;actualité" not in home and "Fil d'actualité" not in home

    directory = client.get("/annuaire").get_data(as_text=True)
    assert "Directory" in directory
    assert "Annuaire des catalyseurs" not in directory
    assert "Log out" in directory
    assert "Se déconnecter" not in directory


def test_new_visitor_gets_french(client):
    page = client.get("/connexion").get_data(as_text=True)
    assert "Connexion" in page
    assert "Log in" not in page
