"""What a member sees and does: the directory, profile pages, the profile form and photos."""

from __future__ import annotations

import html
import io
import os
import re
import struct
import zlib
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from app.extensions import db
from app.members.models import Profile
from app.members.services import access_member
from app.text import fold
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import count_queries

# Helpers -------------------------------------------------------------------------------------


class FormState(HTMLParser):
    """What a browser would submit from the page's forms: text values, selected options,
    checked boxes and textareas, by field name."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = defaultdict(list)
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[a["name"]].append(a.get("value", "on"))
            elif kind != "file":
                self.values[a["name"]].append(a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
            self.values.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea].append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data

    def one(self, name: str) -> str | None:
        values = self.values.get(name) or []
        return values[0] if values else None


def text(response) -> str:
    return response.get_data(as_text=True)


def card_names(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'class="member-card-name">([^<]*)</span>', page)]


def next_link(page: str) -> str | None:
    found = re.search(r'<a[^>]*rel="next"[^>]*href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def region_rows(page: str) -> dict[str, int]:
    rows = re.findall(
        r'<th scope="row"><a href="[^"]*">([^<]+)</a></th>\s*<td>.*?'
        r'<span class="count">(\d+)</span>', page, re.S)
    return {html.unescape(label): int(n) for label, n in rows}


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href\s*=\s*"([^"]*)"', page, re.I)]


def profile_form(**values) -> dict:
    """A complete submission of the profile form, as a browser sends it."""
    data = {"display_name": "Sophie Martin", "organisation": "", "job_title": "",
            "territory": "", "region": "", "catalyst_profile": "", "scope": "", "bio": ""}
    data.update(values)
    return data


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def noise_png(size: tuple[int, int]) -> bytes:
    """A valid PNG that does not compress: its size on disk is about 3 bytes a pixel."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def huge_png(width: int, height: int) -> bytes:
    """A black 1-bit PNG of the given dimensions, compressed into a few kilobytes."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b""))


def upload(client, raw: bytes, filename="photo.png", **values):
    data = profile_form(**values)
    data["avatar"] = (io.BytesIO(raw), filename)
    return client.post("/profil", data=data, content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def reload(user):
    db.session.expire_all()
    return access_member(user, user.id)


# Directory -----------------------------------------------------------------------------------

def test_directory_requires_login(client, network):
    response = client.get("/annuaire")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")
    assert client.get("/annuaire?q=helene").status_code == 302


def test_directory_lists_active_members_only(as_member, network):
    response = as_member.get("/annuaire")
    assert response.status_code == 200
    page = text(response)
    assert card_names(page) == ["Hélène Garnier", "Inès Mercier", "Mehdi Benali",
                                "Sophie Martin", "Yannick Le Goff"]
    assert "Hervé Suspendu" not in page
    assert "5 catalyseurs" in page
    # Cards show the organisation and region, and link to the profile.
    assert "Tiers-lieu La Fabrique" in page and "Hauts-de-France" in page
    assert f'href="/membres/{network["mehdi"].id}"' in page


@pytest.mark.parametrize(("query", "expected"), [
    ("region=ARA", ["Hélène Garnier", "Inès Mercier"]),
    ("region=COR", []),
    ("catalyst_profile=associatif", ["Inès Mercier", "Mehdi Benali"]),
    ("trade=dialogue", ["Mehdi Benali", "Yannick Le Goff"]),
    ("domain=environnement", ["Inès Mercier", "Yannick Le Goff"]),
    ("sdg=13", ["Inès Mercier", "Yannick Le Goff"]),
    ("sdg=4", ["Mehdi Benali"]),
    ("region=ARA&domain=environnement", ["Inès Mercier"]),
    ("q=helene", ["Hélène Garnier"]),
    ("q=H%C3%A9L%C3%88NE", ["Hélène Garnier"]),
    ("q=FABRIQUE", ["Mehdi Benali"]),
    ("q=tiers-lieu+la+fabrique", ["Mehdi Benali"]),
    ("q=ENERGIES", ["Inès Mercier"]),
    ("q=++morlaix++", ["Yannick Le Goff"]),
    ("q=garnier&region=BRE", []),
    ("q=100%25", []),
])
def test_directory_filters_narrow_results(as_member, network, query, expected):
    response = as_member.get(f"/annuaire?{query}")
    assert response.status_code == 200
    page = text(response)
    assert card_names(page) == expected
    if not expected:
        assert "Aucun catalyseur ne correspond à ces critères." in page
    else:
        assert "Tout afficher" in page  # a way back to the full list


def test_directory_filter_form_keeps_the_chosen_values(as_member, network):
    page = text(as_member.get("/annuaire?q=fabrique&region=HDF&sdg=4"))
    form = FormState(page)
    assert form.one("q") == "fabrique"
    assert form.one("region") == "HDF"
    assert form.one("sdg") == "4"
    assert form.one("trade") in (None, "")  # "Tous"


@pytest.mark.parametrize("query", [
    "region=XXX", "catalyst_profile=nope", "trade=ARA", "domain=%3Cscript%3E", "sdg=99",
    "sdg=-1", "region=ARA&region=BRE", "apres=abc", "apres=-5", "apres=99999999",
    "q=" + "a" * 150, "q=" + "é" * 101, "q=%25%25", "q=_",
])
def test_directory_odd_parameters_do_not_crash(as_member, network, query):
    response = as_member.get(f"/annuaire?{query}")
    assert response.status_code == 200
    names = card_names(text(response))
    # Either the odd filter is ignored (everyone) or nothing matches; never an error page.
    assert names in ([], ["Hélène Garnier", "Inès Mercier", "Mehdi Benali", "Sophie Martin",
                          "Yannick Le Goff"]) or set(names) <= {"Hélène Garnier", "Inès Mercier"}


@pytest.mark.parametrize("query", ["q=%00", "q=fabri%00que", "region=ARA%00"])
def test_directory_nul_character_does_not_crash(as_member, network, query):
    """PostgreSQL refuses NUL bytes in text: stripping or refusing them is fine, a 500 is not."""
    response = as_member.get(f"/annuaire?{query}")
    assert response.status_code in (200, 400)


def test_directory_unknown_filter_code_is_ignored(as_member, network):
    page = text(as_member.get("/annuaire?region=XXX"))
    assert len(card_names(page)) == 5


def test_directory_too_long_search_is_handled(as_member, network):
    """Over 100 characters the search is cut or ignored, never an error page."""
    for q in ("helene" * 20, "Hélène Garnier" + " " * 100 + "x", "a" * 5000):
        response = as_member.get("/annuaire", query_string={"q": q})
        assert response.status_code == 200
        assert len(card_names(text(response))) in (0, 1, 5)


def test_directory_region_table_counts_every_region(as_member, network):
    page = text(as_member.get("/annuaire"))
    rows = region_rows(page)
    assert len(rows) == 18
    assert rows["Auvergne-Rhône-Alpes"] == 2  # the suspended member is not counted
    assert rows["Hauts-de-France"] == 1
    assert rows["Bretagne"] == 1
    assert rows["Corse"] == 0
    assert rows["Mayotte"] == 0
    assert sum(rows.values()) == 4  # Sophie Martin has no region yet
    # Each region links to the filtered directory.
    assert "/annuaire?region=ARA" in hrefs(page)


def test_directory_region_table_is_not_filtered(as_member, network):
    """The table describes the whole network, whatever the current filter."""
    rows = region_rows(text(as_member.get("/annuaire?region=BRE")))
    assert rows["Auvergne-Rhône-Alpes"] == 2


FIRST_NAMES = [
    "Zoé", "Émile", "Anne", "Bruno", "Élodie", "Camille", "Damien", "Inès", "Jules", "Karim",
    "Léa", "Manon", "Noé", "Océane", "Paul", "Quentin", "Rémi", "Sacha", "Théo", "Ugo",
    "Valérie", "William", "Xavier", "Yasmine", "Agathe", "Benoît", "Chloé", "Denis", "Fanny",
]


@pytest.fixture
def crowd(app):
    """29 more members (30 with Sophie Martin), some sharing a name."""
    users = [make_user(name=f"{first} Durand", region="BRE" if i < 2 else "OCC")
             for i, first in enumerate(FIRST_NAMES[:26])]
    users += [make_user(name="Anne Durand", region="OCC") for _ in range(3)]
    return users


def _walk(client, url):
    """Follow "Voir la suite" links from `url`; returns the names of every page."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        page = text(response)
        pages.append(card_names(page))
        url = next_link(page)
        if url:
            assert "Voir la suite" in page
            assert re.search(r"[?&]apres=\d+", url), url
        assert len(pages) < 10
    return pages


def test_directory_paginates_with_keyset(as_member, member, crowd):
    everyone = [member, *crowd]
    pages = _walk(as_member, "/annuaire")
    assert [len(p) for p in pages] == [24, 6]
    expected = [u.display_name for u in sorted(everyone, key=lambda u: (fold(u.display_name),
                                                                         u.id))]
    assert pages[0] + pages[1] == expected  # no duplicate, no gap, folded name order
    assert expected[:4] == ["Agathe Durand"] + ["Anne Durand"] * 3
    accented = [n for n in expected if n.split()[0] in ("Damien", "Élodie", "Émile", "Inès",
                                                         "Jules")]
    assert accented == ["Damien Durand", "Élodie Durand", "Émile Durand", "Inès Durand",
                        "Jules Durand"]


def test_directory_pagination_keeps_filters(as_member, crowd):
    occ = crowd[2:]  # Zoé and Émile Durand are in Brittany
    assert len(occ) == 27
    pages = _walk(as_member, "/annuaire?region=OCC")
    assert [len(p) for p in pages] == [24, len(occ) - 24]
    assert sorted(pages[0] + pages[1]) == sorted(u.display_name for u in occ)


def test_directory_query_count_does_not_grow_with_members(app, client, member):
    def measure() -> int:
        client.get("/annuaire")  # warm up (last-seen update, caches)
        with count_queries() as counter:
            response = client.get("/annuaire")
        assert response.status_code == 200
        return counter.count

    def add_members(n: int) -> None:
        for _ in range(n):
            make_user(organisation="Réseau", region="OCC", catalyst_profile="public",
                      scope="local", trade=["dialogue", "lieu"], domain=["emploi", "sante"],
                      sdg=["3", "17"])

    login(client, member)
    add_members(4)
    small = measure()
    assert len(card_names(text(client.get("/annuaire")))) == 5
    add_members(15)
    large = measure()
    assert len(card_names(text(client.get("/annuaire")))) == 20
    assert small == large, f"5 members: {small} queries, 20 members: {large} queries"


# Profile page --------------------------------------------------------------------------------

def test_profile_page_shows_the_member(as_member, network):
    helene = network["helene"]
    response = as_member.get(f"/membres/{helene.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Hélène Garnier" in page
    assert "Fondation Terres d&#39;Avenir" in page or "Fondation Terres d'Avenir" in page
    assert "Auvergne-Rhône-Alpes" in page
    assert "Acteur économique" in page
    assert "Accompagnement" in page  # trade label
    assert "Pauvreté" in page or "pauvreté" in page  # domain label
    assert "Pas de pauvreté" in page  # SDG 1 label
    # Not her own profile: no edit button.
    assert "Modifier le profil" not in page


def test_own_profile_has_an_edit_link(as_member, member):
    page = text(as_member.get(f"/membres/{member.id}"))
    assert "Modifier le profil" in page and "/profil" in hrefs(page)


def test_profile_bio_is_markdown_and_xss_safe(as_member, member):
    bio = ("Je travaille sur l'**insertion**.\n\n"
           "<script>alert(1)</script>\n\n"
           "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(2)) "
           "<img src=x onerror=alert(3)> [ok](https://exemple.fr)")
    as_member.post("/profil", data=profile_form(bio=bio))
    assert reload(member).profile.bio == bio
    page = text(as_member.get(f"/membres/{member.id}"))
    prose = page.split('class="prose"', 1)[1].split("</div>", 1)[0]
    assert "<strong>insertion</strong>" in prose
    assert "<script" not in prose.lower()
    assert "<img" not in prose.lower()
    assert "&lt;script&gt;" in prose  # shown as text, not run
    assert not [h for h in hrefs(page) if "javascript:" in h.lower().replace(" ", "")]
    assert 'href="https://exemple.fr"' in prose
    assert 'rel="nofollow noopener"' in prose


def test_suspended_member_profile_hidden_from_members(client, member, moderator):
    suspended = make_user(name="Ex Membre", organisation="Ancienne structure", status="suspended")
    login(client, member)
    assert client.get(f"/membres/{suspended.id}").status_code == 404
    assert client.get(f"/membres/{suspended.id}/photo").status_code == 404


def test_suspended_member_profile_visible_to_moderators(client, moderator):
    suspended = make_user(name="Ex Membre", organisation="Ancienne structure", status="suspended")
    login(client, moderator)
    response = client.get(f"/membres/{suspended.id}")
    assert response.status_code == 200
    assert "Ex Membre" in text(response)
    assert "Compte suspendu" in text(response)


def test_unknown_profile_is_404(as_member):
    assert as_member.get("/membres/999999").status_code == 404
    assert as_member.get("/membres/999999/photo").status_code == 404
    assert as_member.get("/membres/abc").status_code == 404


def test_profile_page_requires_login(client, member):
    response = client.get(f"/membres/{member.id}")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


# Edit profile --------------------------------------------------------------------------------

def test_edit_profile_form_is_prefilled(client):
    user = make_user(name="Hélène Garnier", organisation="Fondation Terres d'Avenir",
                     job_title="Responsable", territory="Lyon", region="ARA",
                     catalyst_profile="economique", scope="reseau-national",
                     trade=["accompagnement", "lieu"], domain=["logement"], sdg=["1", "17"],
                     bio="Bonjour **à tous**")
    login(client, user)
    response = client.get("/profil")
    assert response.status_code == 200
    form = FormState(text(response))
    assert form.one("display_name") == "Hélène Garnier"
    assert form.one("organisation") == "Fondation Terres d'Avenir"
    assert form.one("job_title") == "Responsable"
    assert form.one("territory") == "Lyon"
    assert form.one("region") == "ARA"
    assert form.one("catalyst_profile") == "economique"
    assert form.one("scope") == "reseau-national"
    assert sorted(form.values["trade"]) == ["accompagnement", "lieu"]
    assert form.values["domain"] == ["logement"]
    assert sorted(form.values["sdg"]) == ["1", "17"]
    assert form.one("bio").strip() == "Bonjour **à tous**"


def test_edit_profile_saves_everything(as_member, member):
    response = as_member.post("/profil", data=profile_form(
        display_name="Sophie Martin-Roux", organisation="Communauté de communes du Haut-Vivarais",
        job_title="Chargée de mission", territory="Ardèche", region="ARA",
        catalyst_profile="public", scope="local", bio="Je *cherche* des pairs.",
        trade=["dialogue", "experimentation"], domain=["mobilite", "vieillissement"],
        sdg=["11", "3"]))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/membres/{member.id}"

    page = text(as_member.get(f"/membres/{member.id}"))
    assert "Profil enregistré." in page
    for shown in ("Sophie Martin-Roux", "Communauté de communes du Haut-Vivarais",
                  "Chargée de mission", "Ardèche", "Auvergne-Rhône-Alpes",
                  "Dialogue territorial", "Expérimentations collectives",
                  "Acteur public", "Acteur local", "<em>cherche</em>"):
        assert shown in page, shown

    user = reload(member)
    assert user.display_name == "Sophie Martin-Roux"
    assert [t.code for t in user.profile.tags_of("sdg")] == ["3", "11"]
    assert {t.code for t in user.profile.tags_of("domain")} == {"mobilite", "vieillissement"}
    # The directory finds the member by their new organisation.
    assert card_names(text(as_member.get("/annuaire?q=vivarais"))) == ["Sophie Martin-Roux"]
    assert card_names(text(as_member.get("/annuaire?trade=experimentation"))) == [
        "Sophie Martin-Roux"]


def test_edit_profile_unchecking_removes_tags(client):
    user = make_user(name="Inès Mercier", region="ARA", trade=["lieu"], domain=["numerique"],
                     sdg=["7"])
    login(client, user)
    response = client.post("/profil", data=profile_form(display_name="Inès Mercier"))
    assert response.status_code == 302
    profile = reload(user).profile
    assert profile.tags == [] and profile.region is None


@pytest.mark.parametrize(("field", "value"), [
    ("region", "XXX"),
    ("region", "local"),
    ("catalyst_profile", "ARA"),
    ("scope", "mondial"),
    ("trade", ["dialogue", "inconnu"]),
    ("domain", ["ARA"]),
    ("sdg", ["18"]),
])
def test_edit_profile_unknown_choice_is_refused(as_member, member, field, value):
    response = as_member.post("/profil", data=profile_form(
        organisation="Nouvelle structure", **{field: value}))
    assert response.status_code == 400
    page = text(response)
    assert "Mon profil" in page  # the form is shown again
    assert "has-error" in page
    assert FormState(page).one("organisation") == "Nouvelle structure"  # what was typed stays
    profile = reload(member).profile
    assert profile.organisation == "" and profile.region is None and profile.tags == []


def test_edit_profile_empty_name_is_refused(as_member, member):
    response = as_member.post("/profil", data=profile_form(display_name="   ",
                                                          organisation="Ma structure"))
    assert response.status_code == 400
    assert "has-error" in text(response)
    user = reload(member)
    assert user.display_name == "Sophie Martin"
    assert user.profile.organisation == ""


def test_edit_profile_too_long_organisation_keeps_what_was_typed(as_member, member):
    response = as_member.post("/profil", data=profile_form(
        display_name="Sophie Martin-Roux", organisation="o" * 201, job_title="Chargée de mission",
        territory="Ardèche", region="ARA", catalyst_profile="public", scope="local",
        bio="Ma présentation soignée", trade=["dialogue"], domain=["mobilite"], sdg=["11"]))
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'class="field has-error">\s*<label for="organisation"', page)
    assert "200" in page.split('id="organisation-errors"', 1)[1][:300]
    form = FormState(page)
    assert form.one("display_name") == "Sophie Martin-Roux"
    assert form.one("organisation") == "o" * 201
    assert form.one("job_title") == "Chargée de mission"
    assert form.one("territory") == "Ardèche"
    assert form.one("region") == "ARA"
    assert form.one("catalyst_profile") == "public"
    assert form.one("scope") == "local"
    assert form.values["trade"] == ["dialogue"]
    assert form.values["domain"] == ["mobilite"]
    assert form.values["sdg"] == ["11"]
    assert form.one("bio").strip() == "Ma présentation soignée"
    user = reload(member)
    assert user.display_name == "Sophie Martin" and user.profile.region is None


@pytest.mark.parametrize("field", ["display_name", "organisation", "territory", "bio"])
def test_edit_profile_nul_character_does_not_crash(as_member, member, field):
    """A NUL byte (pasted or forged) must not reach the database: PostgreSQL refuses it."""
    response = as_member.post("/profil", data=profile_form(**{field: "Sophie\x00 Martin"}))
    assert response.status_code in (302, 400)
    value = getattr(reload(member), field, None) or getattr(reload(member).profile, field)
    assert "\x00" not in value


def test_edit_profile_too_long_bio_is_refused(as_member, member):
    response = as_member.post("/profil", data=profile_form(bio="b" * 5001))
    assert response.status_code == 400
    assert reload(member).profile.bio == ""


def test_edit_profile_requires_login(client, member):
    assert client.get("/profil").status_code == 302
    response = client.post("/profil", data=profile_form(organisation="Pirate"))
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]
    assert reload(member).profile.organisation == ""


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_edit_profile_needs_the_csrf_token(client, member):
    token = _csrf_token(text(client.get("/connexion")))
    assert client.post("/connexion", data={"email": member.email, "password": "motdepasse-solide",
                                           "csrf_token": token}).status_code == 302
    refused = client.post("/profil", data=profile_form(organisation="Forgée"))
    assert refused.status_code == 400
    assert reload(member).profile.organisation == ""
    token = _csrf_token(text(client.get("/profil")))
    accepted = client.post("/profil", data=profile_form(organisation="Vraie",
                                                        csrf_token=token))
    assert accepted.status_code == 302
    assert reload(member).profile.organisation == "Vraie"


# Avatar --------------------------------------------------------------------------------------

def test_avatar_upload_is_served_re_encoded_without_metadata(app, as_member, member):
    metadata = PngImagePlugin.PngInfo()
    metadata.add_text("Comment", "secret-gps-43.61N")
    exif = Image.Exif()
    exif[0x010E] = "secret-exif-description"
    raw = image_bytes("PNG", size=(40, 30), mode="RGBA", color=(10, 120, 200, 255),
                      pnginfo=metadata, exif=exif)
    assert b"secret" in raw
    response = upload(as_member, raw)
    assert response.status_code == 302, text(response)

    files = stored_files(app)
    assert len(files) == 1
    assert b"secret" not in files[0].read_bytes()
    assert member.email not in str(files[0]) and "photo" not in files[0].name

    photo = as_member.get(f"/membres/{member.id}/photo")
    assert photo.status_code == 200
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.mimetype == "image/png"
    assert b"secret" not in photo.data
    served = Image.open(io.BytesIO(photo.data))
    assert served.format == "PNG" and served.size == (40, 30)
    assert "exif" not in served.info and "Comment" not in served.info
    assert served.getpixel((5, 5))[:3] == (10, 120, 200)
    # The profile page and directory card now show the photo.
    assert f'src="/membres/{member.id}/photo"' in text(as_member.get(f"/membres/{member.id}"))
    assert f'src="/membres/{member.id}/photo"' in text(as_member.get("/annuaire"))


def test_jpeg_avatar_loses_exif_and_is_shrunk(app, as_member, member):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker-secret"
    exif[0x8825] = {2: (43.0, 36.0, 0.0)}  # GPSInfo latitude
    raw = image_bytes("JPEG", size=(1600, 1200), color=(30, 160, 60), exif=exif)
    assert b"PhoneMaker-secret" in raw
    assert upload(as_member, raw, filename="IMG_0001.JPG").status_code == 302
    photo = as_member.get(f"/membres/{member.id}/photo")
    assert photo.status_code == 200
    assert photo.mimetype == "image/jpeg"
    assert b"PhoneMaker-secret" not in photo.data
    served = Image.open(io.BytesIO(photo.data))
    assert max(served.size) <= 512 and served.size == (512, 384)
    assert not served.getexif()


def test_avatar_respects_exif_orientation(as_member, member):
    """A phone's portrait photo is stored landscape with an Orientation tag; once the
    metadata is stripped the pixels themselves must be upright."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    raw = image_bytes("JPEG", size=(60, 30), exif=exif)
    assert upload(as_member, raw, filename="portrait.jpg").status_code == 302
    served = Image.open(io.BytesIO(as_member.get(f"/membres/{member.id}/photo").data))
    assert served.size == (30, 60)


def test_avatar_replacement_deletes_the_old_file(app, as_member, member):
    assert upload(as_member, image_bytes(color=(1, 2, 3))).status_code == 302
    first = stored_files(app)
    assert upload(as_member, image_bytes(color=(200, 200, 0))).status_code == 302
    second = stored_files(app)
    assert len(first) == 1 and len(second) == 1 and first != second


def test_avatar_of_another_member_is_visible_to_members(app, client, member):
    other = make_user(name="Mehdi Benali")
    login(client, other)
    assert upload(client, image_bytes(), display_name="Mehdi Benali").status_code == 302
    client.post("/deconnexion")
    login(client, member)
    assert client.get(f"/membres/{other.id}/photo").status_code == 200
    assert client.get(f"/membres/{member.id}/photo").status_code == 404  # no photo yet
    without_photo = make_user(name="Sans Photo")
    assert client.get(f"/membres/{without_photo.id}/photo").status_code == 404


def test_avatar_requires_login(app, client, member):
    login(client, member)
    assert upload(client, image_bytes()).status_code == 302
    client.post("/deconnexion")
    response = client.get(f"/membres/{member.id}/photo")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_avatar_is_not_cacheable_by_shared_caches(as_member, member):
    """Photos are behind the login: a shared proxy must not keep and serve them to others."""
    assert upload(as_member, image_bytes()).status_code == 302
    photo = as_member.get(f"/membres/{member.id}/photo")
    cache_control = photo.headers.get("Cache-Control", "")
    assert "public" not in cache_control
    assert "private" in cache_control or "no-store" in cache_control


def test_remove_avatar(app, as_member, member):
    assert upload(as_member, image_bytes()).status_code == 302
    assert as_member.get(f"/membres/{member.id}/photo").status_code == 200
    assert "Retirer la photo actuelle" in text(as_member.get("/profil"))
    response = as_member.post("/profil", data=profile_form(remove_avatar="y"))
    assert response.status_code == 302
    assert as_member.get(f"/membres/{member.id}/photo").status_code == 404
    assert reload(member).profile.avatar_key is None
    assert stored_files(app) == []
    assert "Retirer la photo actuelle" not in text(as_member.get("/profil"))


def _refused(response, *words):
    assert response.status_code == 400
    page = text(response)
    assert "avatar-errors" in page, "the error is shown next to the photo field"
    errors = page.split('id="avatar-errors"', 1)[1].split("</ul>", 1)[0]
    for word in words:
        assert word in errors, errors
    return errors


def _nothing_saved(app, member):
    user = reload(member)
    assert user.profile.avatar_key is None
    assert user.profile.organisation == ""  # the rest of the form was not saved either
    assert stored_files(app) == []


@pytest.mark.parametrize(("raw", "filename"), [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "photo.png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "photo.png"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "photo.svg"),
    (b"<html><script>alert(1)</script></html>", "photo.jpg"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png"),  # a PNG signature and garbage
])
def test_non_image_avatar_is_refused(app, as_member, member, raw, filename):
    response = upload(as_member, raw, filename=filename, organisation="Ma structure")
    _refused(response, "image")
    assert FormState(text(response)).one("organisation") == "Ma structure"
    _nothing_saved(app, member)


def test_truncated_image_is_refused(app, as_member, member):
    raw = noise_png((64, 64))
    _refused(upload(as_member, raw[: len(raw) // 2]), "image")
    _nothing_saved(app, member)


def test_unaccepted_image_format_is_refused(app, as_member, member):
    _refused(upload(as_member, image_bytes("BMP"), filename="photo.bmp"), "Format")
    _refused(upload(as_member, image_bytes("TIFF"), filename="photo.png"), "Format")
    _nothing_saved(app, member)


@pytest.mark.parametrize(("fmt", "mode", "color", "mimetype"), [
    ("GIF", "P", 3, "image/png"),
    ("WEBP", "RGB", (1, 2, 3), "image/jpeg"),
    ("PNG", "L", 128, "image/jpeg"),
    ("JPEG", "CMYK", (0, 0, 0, 0), "image/jpeg"),
])
def test_accepted_formats(as_member, member, fmt, mode, color, mimetype):
    assert upload(as_member, image_bytes(fmt, mode=mode, color=color)).status_code == 302
    photo = as_member.get(f"/membres/{member.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == mimetype
    Image.open(io.BytesIO(photo.data)).verify()


def test_oversized_avatar_is_refused(app, as_member, member):
    app.config["AVATAR_MAX_BYTES"] = 1000
    raw = noise_png((40, 40))
    assert len(raw) > 1000
    _refused(upload(as_member, raw, organisation="Ma structure"), "dépasse")
    _nothing_saved(app, member)


def test_oversized_avatar_message_states_the_limit(app, as_member, member):
    """With the default 2 MiB limit the message says "2 Mo"."""
    raw = noise_png((900, 900))
    assert len(raw) > app.config["AVATAR_MAX_BYTES"]
    _refused(upload(as_member, raw), "dépasse", "2 Mo")
    _nothing_saved(app, member)


def test_oversized_avatar_message_with_a_limit_under_one_megabyte(app, as_member, member):
    """A limit set below 1 Mo must not be announced as "0 Mo"."""
    app.config["AVATAR_MAX_BYTES"] = 500 * 1024
    errors = _refused(upload(as_member, noise_png((500, 500))), "dépasse")
    assert " 0 Mo" not in errors


def test_empty_avatar_file_does_not_crash(app, as_member, member):
    response = upload(as_member, b"", organisation="Ma structure")
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        _refused(response, "vide")
        assert reload(member).profile.organisation == ""
    else:
        assert reload(member).profile.organisation == "Ma structure"
    assert reload(member).profile.avatar_key is None
    assert stored_files(app) == []


def test_decompression_bomb_is_refused(app, as_member, member):
    raw = huge_png(20_000, 20_000)  # 400 megapixels in a few kilobytes
    assert len(raw) < 200_000
    _refused(upload(as_member, raw), "image")
    _nothing_saved(app, member)


def test_hundred_megapixel_avatar_is_refused(app, as_member, member):
    """Below Pillow's hard limit (2 x 89 Mpx) Pillow only warns; an avatar shown at 512 px
    has no business decoding 100 megapixels (an RGBA one costs 400 MB of memory from a
    file of a few hundred kilobytes)."""
    raw = huge_png(10_000, 10_000)
    assert len(raw) < 100_000
    _refused(upload(as_member, raw), "image")
    _nothing_saved(app, member)


def test_invalid_avatar_keeps_the_previous_one(app, as_member, member):
    assert upload(as_member, image_bytes()).status_code == 302
    key = reload(member).profile.avatar_key
    _refused(upload(as_member, b"%PDF-1.4 not an image"), "image")
    assert reload(member).profile.avatar_key == key
    assert as_member.get(f"/membres/{member.id}/photo").status_code == 200
    assert len(stored_files(app)) == 1


def test_avatar_file_missing_from_storage_is_404(app, as_member, member):
    assert upload(as_member, image_bytes()).status_code == 302
    for path in stored_files(app):
        path.unlink()
    assert as_member.get(f"/membres/{member.id}/photo").status_code == 404
    assert as_member.get(f"/membres/{member.id}").status_code == 200


def test_profile_row_untouched_by_directory_visit(as_member, member):
    """Reading pages never rewrites profiles (guards against accidental writes on GET)."""
    before = db.session.scalar(select(Profile.updated_at).where(Profile.user_id == member.id))
    as_member.get("/annuaire")
    as_member.get(f"/membres/{member.id}")
    as_member.get("/profil")
    db.session.expire_all()
    after = db.session.scalar(select(Profile.updated_at).where(Profile.user_id == member.id))
    assert before == after
