"""members.services: who may change a profile, what is checked, and the directory queries."""

from __future__ import annotations

import pytest

from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.members import services
from app.members.services import DirectoryFilters, ProfileData, access_member, directory
from tests.factories import make_user


def _load(actor, user):
    db.session.expire_all()
    return access_member(actor, user.id)


def _names(page):
    return [m.display_name for m in page.members]


# check_update_profile ------------------------------------------------------------------------

def test_member_edits_own_profile(member):
    target = _load(member, member)
    with transaction():
        services.check_update_profile(member, target, ProfileData(
            display_name="  Sophie   Martin-Durand ", organisation="  Mairie  de Privas ",
            region="ARA", catalyst_profile="public", scope="local",
            bio="  Bonjour  ", tags={"trade": ["dialogue", "dialogue"], "sdg": ["17", "3"]}))
    user = _load(member, member)
    profile = user.profile
    assert user.display_name == "Sophie Martin-Durand"  # spaces collapsed
    assert profile.organisation == "Mairie de Privas"
    assert profile.bio == "Bonjour"
    assert (profile.region.code, profile.catalyst_profile.code, profile.scope.code) == (
        "ARA", "public", "local")
    assert [t.code for t in profile.tags_of("trade")] == ["dialogue"]  # duplicates dropped
    assert [t.code for t in profile.tags_of("sdg")] == ["3", "17"]  # reference order
    assert profile.sort_name == "sophie martin-durand"
    assert "mairie de privas" in profile.search_text


def test_member_cannot_edit_another_members_profile(member):
    other = make_user(name="Karim Haddad", organisation="Sud Entreprendre")
    target = _load(member, other)
    with pytest.raises(PermissionDenied), transaction():
        services.check_update_profile(member, target, ProfileData(
            display_name="Pirate", organisation="Vandalisé"))
    user = _load(other, other)
    profile = user.profile
    assert user.display_name == "Karim Haddad"
    assert profile.organisation == "Sud Entreprendre"


def test_member_cannot_change_another_members_avatar(member):
    other = make_user(name="Karim Haddad")
    target = _load(member, other)
    with pytest.raises(PermissionDenied):
        services.check_set_avatar(member, target, b"whatever")
    with pytest.raises(PermissionDenied):
        services.check_remove_avatar(member, target)


def test_moderator_cannot_edit_a_members_profile(moderator, member):
    target = _load(moderator, member)
    with pytest.raises(PermissionDenied), transaction():
        services.check_update_profile(moderator, target, ProfileData(display_name="Autre"))


def test_admin_can_edit_a_members_profile(admin, member):
    target = _load(admin, member)
    with transaction():
        services.check_update_profile(admin, target, ProfileData(
            display_name="Sophie Martin", organisation="Corrigé par l'admin", region="BRE"))
    profile = _load(member, member).profile
    assert profile.organisation == "Corrigé par l'admin"
    assert profile.region.code == "BRE"


def test_suspended_member_cannot_edit_own_profile(app):
    suspended = make_user(name="Ex Membre", status="suspended")
    admin = make_user(role="admin")
    target = _load(admin, suspended)
    with pytest.raises(PermissionDenied), transaction():
        services.check_update_profile(suspended, target, ProfileData(display_name="Nouveau"))


@pytest.mark.parametrize(("data", "field"), [
    (ProfileData(display_name="   "), "display_name"),
    (ProfileData(display_name="x" * 121), "display_name"),
    (ProfileData(display_name="Ok", organisation="o" * 201), "organisation"),
    (ProfileData(display_name="Ok", job_title="j" * 201), "job_title"),
    (ProfileData(display_name="Ok", territory="t" * 201), "territory"),
    (ProfileData(display_name="Ok", bio="b" * 5001), "bio"),
    (ProfileData(display_name="Ok", region="XX"), "region"),
    (ProfileData(display_name="Ok", region="local"), "region"),  # a scope code, not a region
    (ProfileData(display_name="Ok", catalyst_profile="ARA"), "catalyst_profile"),
    (ProfileData(display_name="Ok", scope="galactique"), "scope"),
    (ProfileData(display_name="Ok", tags={"trade": ["dialogue", "inconnu"]}), "trade"),
    (ProfileData(display_name="Ok", tags={"domain": ["ARA"]}), "domain"),
    (ProfileData(display_name="Ok", tags={"sdg": ["18"]}), "sdg"),
])
def test_invalid_profile_data_is_refused_and_nothing_saved(member, data, field):
    target = _load(member, member)
    with pytest.raises(Invalid) as excinfo, transaction():
        services.check_update_profile(member, target, data)
    assert excinfo.value.field == field
    user = _load(member, member)
    profile = user.profile
    assert user.display_name == "Sophie Martin"
    assert profile.organisation == "" and profile.region is None and profile.tags == []


def test_limits_are_inclusive(member):
    target = _load(member, member)
    with transaction():
        services.check_update_profile(member, target, ProfileData(
            display_name="n" * 120, organisation="o" * 200, bio="b" * 5000))
    profile = _load(member, member).profile
    assert len(profile.organisation) == 200 and len(profile.bio) == 5000


def test_clearing_fields_and_tags(member):
    user = make_user(name="Inès Mercier", region="ARA", trade=["lieu"], domain=["numerique"],
                     sdg=["7"])
    target = _load(user, user)
    with transaction():
        services.check_update_profile(user, target, ProfileData(display_name="Inès Mercier"))
    profile = _load(user, user).profile
    assert profile.region is None and profile.tags == []


# access_member -------------------------------------------------------------------------------

def test_access_member_hides_suspended_from_members_not_moderators(member, moderator):
    suspended = make_user(name="Ex Membre", status="suspended")
    with pytest.raises(NotFound):
        access_member(member, suspended.id)
    assert access_member(moderator, suspended.id).display_name == "Ex Membre"


def test_access_member_unknown_id(member):
    with pytest.raises(NotFound):
        access_member(member, 999_999)


# directory -----------------------------------------------------------------------------------

def test_directory_lists_active_members_in_folded_name_order(network):
    actor = network["helene"]
    page = directory(actor, DirectoryFilters())
    # Accents do not send "Hélène" or "Inès" to the end.
    assert _names(page) == ["Hélène Garnier", "Inès Mercier", "Mehdi Benali", "Yannick Le Goff"]
    assert page.total == 4 and page.next_cursor is None


@pytest.mark.parametrize(("filters", "expected"), [
    (DirectoryFilters(region="ARA"), ["Hélène Garnier", "Inès Mercier"]),
    (DirectoryFilters(region="BRE"), ["Yannick Le Goff"]),
    (DirectoryFilters(region="COR"), []),
    (DirectoryFilters(catalyst_profile="associatif"), ["Inès Mercier", "Mehdi Benali"]),
    (DirectoryFilters(trade="dialogue"), ["Mehdi Benali", "Yannick Le Goff"]),
    (DirectoryFilters(domain="environnement"), ["Inès Mercier", "Yannick Le Goff"]),
    (DirectoryFilters(sdg="13"), ["Inès Mercier", "Yannick Le Goff"]),
    (DirectoryFilters(sdg="1"), ["Hélène Garnier"]),
    (DirectoryFilters(region="ARA", domain="environnement"), ["Inès Mercier"]),
    (DirectoryFilters(trade="dialogue", sdg="4"), ["Mehdi Benali"]),
    (DirectoryFilters(q="helene"), ["Hélène Garnier"]),
    (DirectoryFilters(q="HÉLÈNE garnier"), ["Hélène Garnier"]),
    (DirectoryFilters(q="FABRIQUE"), ["Mehdi Benali"]),
    (DirectoryFilters(q="energies"), ["Inès Mercier"]),
    (DirectoryFilters(q="  morlaix  "), ["Yannick Le Goff"]),
    (DirectoryFilters(q="%"), []),  # LIKE wildcards are searched literally
    (DirectoryFilters(q="_"), []),
    (DirectoryFilters(q="personne"), []),
    (DirectoryFilters(region="XXX"), []),
    (DirectoryFilters(trade="ARA"), []),  # a region code is not a trade
])
def test_directory_filters(network, filters, expected):
    page = directory(network["helene"], filters)
    assert _names(page) == expected
    assert page.total == len(expected)


def test_directory_paginates_by_keyset_without_gaps_or_duplicates(app):
    # Identical names on both sides of a page boundary exercise the id tie-breaker.
    users = [make_user(name=name) for name in
             ["Émile Zola", "Anne Blanc", "Anne Blanc", "Anne Blanc", "Bruno Noir",
              "Élise Vert", "Anne Blanc", "Zoé Rouge"]]
    seen = []
    after = None
    while True:
        page = directory(users[0], DirectoryFilters(), after=after, limit=3)
        assert page.total == len(users)
        seen.extend(page.members)
        if page.next_cursor is None:
            break
        assert page.next_cursor == page.members[-1].id
        after = page.next_cursor
    assert sorted(u.id for u in seen) == sorted(u.id for u in users)
    assert [u.display_name for u in seen] == [
        "Anne Blanc"] * 4 + ["Bruno Noir", "Élise Vert", "Émile Zola", "Zoé Rouge"]
    anne_ids = [u.id for u in seen[:4]]
    assert anne_ids == sorted(anne_ids)


def test_directory_with_unknown_cursor_starts_over(network):
    page = directory(network["helene"], DirectoryFilters(), after=999_999)
    assert len(page.members) == 4


def test_directory_requires_an_active_member(network):
    with pytest.raises(PermissionDenied):
        directory(network["herve"], DirectoryFilters())
    with pytest.raises(PermissionDenied):
        services.region_counts(network["herve"])


def test_region_counts(network):
    counts = services.region_counts(network["helene"])
    assert len(counts) == 18
    by_code = {term.code: n for term, n in counts}
    assert by_code["ARA"] == 2  # the suspended member is not counted
    assert by_code["HDF"] == 1 and by_code["BRE"] == 1
    assert by_code["COR"] == 0
    assert sum(by_code.values()) == 4
    # Reference order, whatever the counts.
    assert [term.position for term, _ in counts] == list(range(18))


def test_region_counts_with_no_members_lists_every_region_at_zero(member):
    counts = services.region_counts(member)
    assert len(counts) == 18 and all(n == 0 for _, n in counts)


def test_newest_members_excludes_suspended(network):
    newest = services.newest_members(network["helene"], limit=10)
    assert "Hervé Suspendu" not in [m.display_name for m in newest]
    assert len(newest) == 4
