"""Library services: submissions, versions, the moderation workflow, owners' shelves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import permissions
from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.library import services as library
from app.library.models import Document, Version
from app.moderation.models import ModerationAction
from app.notifications.models import Activity, Notification
from app.storage import get_storage
from tests.factories import make_user
from tests.library import files
from tests.library.support import checked, data, publish, submit


def log_actions(document_id: int) -> list[str]:
    return list(db.session.scalars(select(ModerationAction.action).where(
        ModerationAction.target_type == "document", ModerationAction.target_id == document_id)
        .order_by(ModerationAction.id)))


def notices(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id)))


# Submitting ---------------------------------------------------------------------------------

def test_a_submission_waits_for_a_moderator_and_keeps_the_file_inert(member, other):
    document = submit(member, "../Étude mobilité.md", "# Mobilité rurale".encode())
    assert document.state == "pending" and document.owner_type is None
    version = db.session.scalar(select(Version).where(Version.document_id == document.id))
    assert version.number == 1 and version.state == "pending"
    assert version.filename == "Étude mobilité.md"
    assert "mobilit" not in version.storage_key and version.storage_key.endswith(".md")
    assert len(version.sha256) == 64
    assert get_storage().path(version.storage_key).read_bytes() == "# Mobilité rurale".encode()
    assert library.access_document(member, document.id).id == document.id
    with pytest.raises(NotFound):
        library.access_document(other, document.id)
    with pytest.raises(NotFound):
        library.access_version(other, version.id)


def test_title_falls_back_on_the_file_name_and_several_files_make_several_documents(member):
    with transaction():
        documents = library.check_submit(
            member, None, None,
            [checked("plan_action.md", b"un"), checked("bilan 2024.pdf", files.pdf("deux"))],
            data(title="Kit codev"))
    assert [d.title for d in documents] == ["Kit codev — plan action", "Kit codev — bilan 2024"]
    alone = submit(member, "Retour d'expérience.md", b"trois", title="")
    assert alone.title == "Retour d'expérience"


def test_metadata_is_validated_with_french_messages(member):
    cases = [({"document_type": "inconnu"}, "document_type"),
             ({"year": "20x4"}, "year"), ({"year": "1850"}, "year"),
             ({"title": "x" * 201}, "title"), ({"language": "xx"}, "language"),
             ({"licence": "wtfpl"}, "licence"),
             ({"keywords": ",".join(f"mot{n}" for n in range(21))}, "keywords")]
    for values, field in cases:
        with pytest.raises(Invalid) as error, transaction():
            library.check_submit(member, None, None, [checked("a.md", b"a")], data(**values))
        assert error.value.field == field, values
    assert db.session.scalar(select(Document.id)) is None


def test_taxonomy_tags_and_keywords_are_kept(member):
    document = submit(member, tags={"domain": ["emploi", "inconnu"], "sdg": ["8"],
                                    "region": ["OCC"], "actor_profile": ["entreprises"],
                                    "territorial_level": ["local"]},
                      keywords="tiers-lieu ; gouvernance partagée, tiers-lieu", year="2024")
    document = library.access_document(member, document.id)
    assert sorted((t.vocabulary, t.code) for t in document.tags) == [
        ("actor_profile", "entreprises"), ("domain", "emploi"), ("region", "OCC"),
        ("sdg", "8"), ("territorial_level", "local")]
    assert document.keywords == "tiers-lieu, gouvernance partagée" and document.year == 2024


def test_the_same_file_twice_on_a_shelf_is_detected(member, other, moderator):
    first = submit(member, "a.md", b"meme contenu", title="Premier")
    with pytest.raises(Invalid) as error:
        submit(member, "b.md", b"meme contenu")
    assert "« Premier »" in error.value.message
    with pytest.raises(Invalid) as error:
        submit(other, "c.md", b"meme contenu")
    assert "Premier" not in error.value.message and "déjà été proposé" in error.value.message
    publish(moderator, first)
    with pytest.raises(Invalid) as error:
        submit(other, "c.md", b"meme contenu")
    assert "déjà dans la bibliothèque : « Premier »" in error.value.message


def test_members_cannot_moderate(member, other):
    document = submit(member)
    for action in (lambda: library.check_approve(member, document),
                   lambda: library.check_reject(member, document, "non")):
        with pytest.raises(PermissionDenied), transaction():
            action()


# Workflow -----------------------------------------------------------------------------------

def test_approval_publishes_notifies_logs_and_reaches_the_feed(member, other, moderator):
    document = publish(moderator, submit(member))
    assert document.state == "published" and document.published_at is not None
    assert document.current_version_id is not None
    assert library.access_document(other, document.id).id == document.id
    assert log_actions(document.id) == ["document.approve"]
    [notice] = notices(member)
    assert notice.kind == "moderation" and "est publié" in notice.text
    assert notice.url == f"/bibliotheque/documents/{document.id}"
    activity = db.session.scalar(select(Activity).where(Activity.object_type == "document"))
    assert activity.broadcast and activity.verb == "document.published"
    assert activity.actor_id == member.id and activity.data["title"] == document.title


def test_changes_requested_then_resubmitted_by_the_submitter(member, moderator):
    document = submit(member)
    with pytest.raises(Invalid) as error, transaction():
        library.check_request_changes(moderator, document, "  ")
    assert error.value.field == "message"
    with transaction():
        library.check_request_changes(moderator, document, "Ajoutez l'année et les auteurs.")
    assert document.state == "changes" and document.decision_note.startswith("Ajoutez")
    assert "Ajoutez l'année" in notices(member)[-1].text
    with transaction():
        document = library.access_document(member, document.id)
        library.check_edit(member, document, data(year="2023", authors="Réseau"))
    assert document.state == "pending" and document.year == 2023
    assert log_actions(document.id) == ["document.request_changes"]


def test_rejection_needs_a_reason_and_keeps_the_document(member, moderator, other):
    document = submit(member)
    with pytest.raises(Invalid), transaction():
        library.check_reject(moderator, document, "")
    with transaction():
        library.check_reject(moderator, document, "Hors du champ du réseau.")
    assert db.session.get(Document, document.id).state == "rejected"
    assert "Hors du champ" in notices(member)[-1].text
    with pytest.raises(NotFound):
        library.access_document(other, document.id)
    assert library.access_document(member, document.id).decision_note == \
        "Hors du champ du réseau."
    with pytest.raises(Invalid), transaction():
        library.check_approve(moderator, document)


def test_unpublish_keeps_the_document_and_republish_brings_it_back(member, moderator, other):
    document = publish(moderator, submit(member))
    with transaction():
        library.check_unpublish(moderator, document, "Version obsolète signalée.")
    with pytest.raises(NotFound):
        library.access_document(other, document.id)
    assert library.access_document(member, document.id).state == "unpublished"
    activity = db.session.scalar(select(Activity).where(Activity.object_type == "document"))
    assert activity.hidden_at is not None
    with transaction():
        library.check_republish(moderator, document)
    assert library.access_document(other, document.id).state == "published"
    assert log_actions(document.id) == ["document.approve", "document.unpublish",
                                        "document.republish"]


def test_moderators_edit_metadata_and_the_edit_is_logged(member, moderator):
    document = publish(moderator, submit(member))
    with pytest.raises(PermissionDenied), transaction():
        library.check_edit(member, document, data(title="Autre"))
    with transaction():
        document = library.access_document(moderator, document.id)
        library.check_edit(moderator, document, data(title="Titre corrigé"))
    assert document.title == "Titre corrigé"
    assert log_actions(document.id)[-1] == "document.edit"


def test_my_submissions_follow_their_state(member, moderator):
    a, b = submit(member, "a.md", b"a"), submit(member, "b.md", b"b")
    publish(moderator, a)
    states = {d.id: d.state for d in library.my_submissions(member)}
    assert states == {a.id: "published", b.id: "pending"}


# Versions -----------------------------------------------------------------------------------

def test_a_members_new_version_waits_while_the_library_shows_the_published_one(
        member, moderator, other):
    document = publish(moderator, submit(member, "v1.md", b"premiere"))
    first = document.current_version_id
    with pytest.raises(Invalid) as error, transaction():
        library.check_new_version(member, document, checked("v2.md", b"seconde"), "")
    assert error.value.field == "change_note"
    with transaction():
        version = library.check_new_version(member, document, checked("v2.md", b"seconde"),
                                            "Chiffres 2024")
    assert (version.number, version.state) == (2, "pending")
    assert db.session.get(Document, document.id).current_version_id == first
    assert [v.number for v in library.versions_for(other, document)] == [1]
    assert [v.number for v in library.versions_for(member, document)] == [2, 1]
    with pytest.raises(NotFound):
        library.access_version(other, version.id)
    [item] = [i for i in library.pending(moderator) if i.version]
    assert item.version.id == version.id
    with transaction():
        library.check_approve_version(moderator, library.access_version(moderator, version.id))
    assert db.session.get(Document, document.id).current_version_id == version.id
    assert [v.number for v in library.versions_for(other, document)] == [2, 1]
    assert library.download_version(other, document).id == version.id


def test_a_moderators_version_is_published_at_once_and_duplicates_refused(member, moderator):
    document = publish(moderator, submit(member, "v1.md", b"premiere"))
    with pytest.raises(Invalid) as error, transaction():
        library.check_new_version(moderator, document, checked("v1.md", b"premiere"),
                                  "identique")
    assert "identique à une version" in error.value.message
    with transaction():
        version = library.check_new_version(moderator, document,
                                            checked("v2.md", b"corrigee"), "Coquilles")
    assert version.state == "published"
    assert db.session.get(Document, document.id).current_version_id == version.id


def test_a_rejected_version_is_kept_with_its_reason(member, moderator):
    document = publish(moderator, submit(member, "v1.md", b"premiere"))
    with transaction():
        version = library.check_new_version(member, document, checked("v2.md", b"x"), "maj")
    with transaction():
        library.check_reject_version(moderator, library.access_version(moderator, version.id),
                                     "Fichier incomplet")
    assert version.state == "rejected" and version.decision_note == "Fichier incomplet"
    assert "n'a pas été retenue" in notices(member)[-1].text


def test_others_cannot_add_versions(member, other, moderator):
    document = publish(moderator, submit(member))
    with pytest.raises(PermissionDenied), transaction():
        library.check_new_version(other, document, checked("x.md", b"x"), "note")


# Owners' shelves ----------------------------------------------------------------------------

@pytest.fixture
def project_shelf(monkeypatch, member, moderator):
    """A stand-in for project spaces: project 7 has `member` as lead and `reader` as member."""
    reader = make_user(name="Nadia Roux", email="nadia@exemple.fr")

    def rule(user, owner_id, capability):
        if owner_id != 7:
            return False
        if user.id == member.id:
            return True
        return user.id == reader.id and capability in ("read", "write")

    monkeypatch.setitem(permissions.OWNER_RULES, "testproject", rule)
    return reader


def test_an_owned_shelf_follows_its_owners_rule(project_shelf, member, other, moderator):
    reader = project_shelf
    document = submit(reader, owner=("testproject", 7))
    assert (document.owner_type, document.owner_id) == ("testproject", 7)
    with pytest.raises(NotFound):
        library.access_document(other, document.id)
    with pytest.raises(NotFound):
        library.access_shelf(other, "testproject", 7)
    with pytest.raises(NotFound):
        library.shelf(other, "testproject", 7)
    with pytest.raises(PermissionDenied), transaction():
        library.check_approve(moderator, document)  # platform moderators do not reach inside
    assert [i.document.id for i in library.pending(member, "testproject", 7)] == [document.id]
    publish(member, document)
    assert [d.id for d in library.shelf(reader, "testproject", 7).documents] == [document.id]
    assert library.shelf(moderator).total == 0
    activity = db.session.scalar(select(Activity).where(Activity.object_type == "document"))
    assert (activity.context_type, activity.context_id, activity.broadcast) == (
        "testproject", 7, False)


def test_a_lead_proposes_a_shelf_document_to_the_main_library(project_shelf, member,
                                                               moderator, other):
    reader = project_shelf
    original = publish(member, submit(reader, "compte-rendu.md", b"Session du 3 mars",
                                      owner=("testproject", 7)))
    with pytest.raises(PermissionDenied), transaction():
        library.check_propose_to_main_library(reader, original)
    with transaction():
        copy = library.check_propose_to_main_library(member, original)
    assert (copy.owner_type, copy.state, copy.proposed_from_id) == (None, "pending", original.id)
    assert [i.document.id for i in library.pending(moderator)] == [copy.id]
    with pytest.raises(Invalid), transaction():
        library.check_propose_to_main_library(member, original)
    publish(moderator, library.access_document(moderator, copy.id))
    found = library.shelf(other, query=library.LibraryQuery(q="session mars"))
    assert [d.id for d in found.documents] == [copy.id]
    assert library.download_version(other, copy).sha256 == \
        library.download_version(member, original).sha256


def test_generated_documents_go_through_the_same_checks(member, moderator):
    with transaction():
        pending = library.do_submit_generated(
            member, "Session codev.md", "# Plan d'action\n\nMobilité partagée".encode(),
            data(title="", document_type="compte-rendu"))
        published = library.do_submit_generated(
            moderator, "diapos.pdf", files.pdf("Webinaire energie"),
            data(title="Webinaire énergie", document_type="webinaire"))
    assert (pending.title, pending.state) == ("Session codev", "pending")
    assert published.state == "published"
    with pytest.raises(Invalid), transaction():
        library.do_submit_generated(member, "x.html", files.HTML, data())
