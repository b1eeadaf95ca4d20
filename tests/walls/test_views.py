"""Wall pages as members use them: posting, validation that keeps what was typed, flood
control, pre-moderation, comments, edits and versions, reactions, mentions, Q&A, follows,
XSS and the constant query count of a wall page."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from app.db import transaction
from app.extensions import db
from app.notifications.models import Notification
from app.walls import services
from app.walls.models import Comment, Post, Reaction
from tests.conftest import login
from tests.factories import make_user
from tests.helpers import count_queries
from tests.walls.conftest import as_user, comment_on, fresh, publish


def _post(client, wall, **data):
    form = {"kind": "discussion", "title": "", "body": "Bonjour le réseau", **data}
    return client.post(f"/murs/{wall.slug}", data=form, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Walls list and creation -------------------------------------------------------------------

def test_walls_list(as_member, general_wall, theme_wall):
    page = as_member.get("/murs")
    assert page.status_code == 200
    assert "Mur général" in page.text and "Mobilité rurale" in page.text
    assert "Transport à la demande" in page.text
    assert "Créer un mur" not in page.text


def test_moderator_creates_a_wall(client, moderator, general_wall):
    login(client, moderator)
    assert "Créer un mur" in client.get("/murs").text
    response = client.post("/murs", data={"name": "Santé", "description": "Accès aux soins",
                                           "premoderation": "new_members"})
    assert response.status_code == 302 and response.location.endswith("/murs/sante")
    wall = services.access_wall_by_slug(moderator, "sante")
    assert wall.premoderation == "new_members"
    refused = client.post("/murs", data={"name": "", "description": "Sans nom"})
    assert refused.status_code == 400
    assert "Le nom est obligatoire." in refused.text and "Sans nom" in refused.text


def test_members_cannot_create_walls(as_member, general_wall):
    assert as_member.post("/murs", data={"name": "Mon mur"}).status_code == 403


def test_unknown_wall_is_404(as_member, general_wall):
    assert as_member.get("/murs/inconnu").status_code == 404


def test_moderator_sets_premoderation(client, moderator, member, general_wall):
    login(client, member)
    assert client.post("/murs/general/reglages",
                       data={"premoderation": "all"}).status_code == 403
    as_user(client, moderator)
    assert "Réglages du mur" in client.get("/murs/general").text
    assert client.post("/murs/general/reglages", data={"premoderation": "all"}).status_code \
        == 302
    assert fresh(type(general_wall), general_wall.id).premoderation == "all"


# Posting -----------------------------------------------------------------------------------

def test_member_posts_each_kind(as_member, member, general_wall):
    page = as_member.get("/murs/general")
    assert page.status_code == 200
    assert '<option value="announcement"' not in page.text
    response = _post(as_member, general_wall, body="Une **discussion**")
    assert response.status_code == 302
    assert re.search(r"/murs/general#message-\d+$", response.location)
    _post(as_member, general_wall, kind="question", title="Une question ?",
          body="Qui sait ?", domain=["emploi"], region=["OCC"], sdg=["8"])
    page = as_member.get("/murs/general")
    assert "Votre message est publié." in page.text
    assert "<strong>discussion</strong>" in page.text
    assert "Une question ?" in page.text and 'badge-question' in page.text
    assert "Emploi" in page.text and "Occitanie" in page.text
    assert _count(Post) == 2


def test_announcement_is_403_for_members(as_member, general_wall):
    response = _post(as_member, general_wall, kind="announcement", body="Annonce")
    assert response.status_code == 403
    assert _count(Post) == 0


def test_moderator_posts_an_announcement(client, moderator, general_wall):
    login(client, moderator)
    assert '<option value="announcement"' in client.get("/murs/general").text
    assert _post(client, general_wall, kind="announcement", title="Rencontre annuelle",
                 body="Le 12 juin à Lyon").status_code == 302
    assert "badge-announcement" in client.get("/murs/general").text


@pytest.mark.parametrize(("data", "message"), [
    ({"body": ""}, "Le message est vide."),
    ({"body": "x" * 20_001}, "Le message est trop long"),
    ({"title": "t" * 201, "body": "Corps gardé"}, "Le titre est trop long"),
    ({"kind": "sondage", "body": "Corps gardé"}, "Type de message inconnu."),
    ({"domain": ["atlantide"], "body": "Corps gardé"}, "Étiquette inconnue."),
    ({"kind": "question", "title": "", "body": "Corps gardé"}, "Une question a besoin"),
])
def test_validation_errors_keep_what_was_typed(as_member, general_wall, data, message):
    data = {"title": "Mon titre gardé", **data}
    response = _post(as_member, general_wall, **data)
    assert response.status_code == 400
    assert message in response.text
    if data.get("body") == "Corps gardé":
        assert "Corps gardé</textarea>" in response.text
    if len(data["title"]) < 200:
        assert f'value="{data["title"]}"' in response.text
    assert _count(Post) == 0


def test_tags_are_kept_after_an_error(as_member, general_wall):
    response = _post(as_member, general_wall, body="", domain=["emploi"], region=["BRE"])
    assert response.status_code == 400
    assert re.search(r'<input checked id="domain-\d+" name="domain" type="checkbox" '
                     r'value="emploi">', response.text)
    assert '<details class="composer-more" open>' in response.text


def test_duplicate_post_within_two_minutes(as_member, general_wall):
    assert _post(as_member, general_wall, body="Deux fois ?").status_code == 302
    again = _post(as_member, general_wall, body="Deux fois ?")
    assert again.status_code == 400
    assert "Vous venez de publier exactement ce message." in again.text
    assert _count(Post) == 1


class TestFlood:
    @pytest.fixture
    def app_overrides(self):
        return {"POST_RATE_LIMIT": "3 per minute"}

    def test_too_many_posts_get_429_with_a_clear_message(self, as_member, general_wall):
        for n in range(3):
            assert _post(as_member, general_wall, body=f"Message {n}").status_code == 302
        response = _post(as_member, general_wall, title="Gardé", body="Un de trop")
        assert response.status_code == 429
        assert "patienter une minute" in response.text
        assert "Un de trop</textarea>" in response.text and 'value="Gardé"' in response.text
        assert _count(Post) == 3

    def test_refused_forms_do_not_count(self, as_member, general_wall):
        for _n in range(4):
            assert _post(as_member, general_wall, body="").status_code == 400
        assert _post(as_member, general_wall, body="Enfin").status_code == 302

    def test_the_limit_is_per_member(self, client, member, other, general_wall):
        login(client, member)
        for n in range(3):
            _post(client, general_wall, body=f"Message {n}")
        as_user(client, other)
        assert _post(client, general_wall, body="À mon tour").status_code == 302

    def test_comments_are_limited_too(self, as_member, member, general_wall):
        post = publish(member, general_wall, "Fil")
        for n in range(3):
            assert as_member.post(f"/murs/messages/{post.id}/commentaires",
                                  data={"body": f"Réponse {n}"}).status_code == 302
        response = as_member.post(f"/murs/messages/{post.id}/commentaires",
                                  data={"body": "Encore une"})
        assert response.status_code == 429
        assert "patienter une minute" in response.text and "Encore une</textarea>" in response.text


# Pre-moderation ----------------------------------------------------------------------------

def test_premoderated_post_waits_for_approval(client, member, other, moderator):
    with transaction():
        wall = services.check_create_wall(moderator, "Modéré", "", "all")
    login(client, member)
    response = _post(client, wall, body="J'attends", title="En attente")
    assert response.status_code == 302
    page = unescape(client.get(f"/murs/{wall.slug}").text)
    assert "sera visible de tous dès que l'équipe d'animation l'aura validé" in page
    assert "En attente de validation : seuls vous et l'équipe d'animation" in page
    post = db.session.scalar(select(Post))
    as_user(client, other)
    assert "J'attends" not in unescape(client.get(f"/murs/{wall.slug}").text)
    assert client.get(f"/murs/messages/{post.id}").status_code == 404
    assert client.get(f"/murs/messages/{post.id}/fragment").status_code == 404
    as_user(client, moderator)
    page = unescape(client.get(f"/murs/{wall.slug}").text)
    assert "J'attends" in page and "Approuver" in page


# Comments ----------------------------------------------------------------------------------

def test_comment_and_replies(client, member, other, general_wall):
    post = publish(member, general_wall, "Vos retours ?")
    login(client, other)
    response = client.post(f"/murs/messages/{post.id}/commentaires",
                           data={"body": "Premier retour", "next": "/murs/general"})
    first = db.session.scalar(select(Comment))
    assert response.status_code == 302
    assert response.location.endswith(f"/murs/general#commentaire-{first.id}")
    as_user(client, member)
    client.post(f"/murs/messages/{post.id}/commentaires",
                data={"body": "Merci", "parent_id": str(first.id)})
    reply = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    as_user(client, other)
    client.post(f"/murs/messages/{post.id}/commentaires",
                data={"body": "Avec plaisir", "parent_id": str(reply.id)})
    deeper = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert (reply.parent_id, deeper.parent_id) == (first.id, first.id)
    page = client.get(f"/murs/messages/{post.id}").text
    thread = page.split(f'id="commentaire-{first.id}"')[1]
    assert f'data-replies-for="{first.id}"' in thread
    assert thread.index("Merci") < thread.index("Avec plaisir")


def test_refused_comment_keeps_its_text(as_member, member, general_wall):
    post = publish(member, general_wall, "Vos retours ?")
    response = as_member.post(f"/murs/messages/{post.id}/commentaires",
                              data={"body": "z" * 10_001})
    assert response.status_code == 400
    assert "Le message est trop long" in response.text
    assert "z" * 10_001 + "</textarea>" in response.text
    bad_parent = as_member.post(f"/murs/messages/{post.id}/commentaires",
                                data={"body": "Réponse", "parent_id": "abc"})
    assert bad_parent.status_code == 400


def test_locked_comments(client, member, other, moderator, general_wall):
    post = publish(member, general_wall, "Débat")
    with transaction():
        services.check_set_locked(moderator, services.access_post(moderator, post.id), True)
    login(client, other)
    page = client.get(f"/murs/messages/{post.id}").text
    assert "Commentaires fermés" in page and 'class="comment-form"' not in page
    assert client.post(f"/murs/messages/{post.id}/commentaires",
                       data={"body": "Un mot"}).status_code == 403
    assert _count(Comment) == 0


# Editing, versions, deleting ---------------------------------------------------------------

def test_edit_shows_modified_and_moderators_see_versions(client, member, other, moderator,
                                                        general_wall):
    post = publish(member, general_wall, "Version 1")
    login(client, member)
    form = client.get(f"/murs/messages/{post.id}/modifier")
    assert form.status_code == 200 and "Version 1</textarea>" in form.text
    assert 'name="reason"' not in form.text
    assert client.post(f"/murs/messages/{post.id}/modifier",
                       data={"title": "", "body": "Version 2"}).status_code == 302
    page = client.get("/murs/general").text
    assert "Version 2" in page and "modifié" in page and "/versions" not in page
    assert client.get(f"/murs/messages/{post.id}/versions").status_code == 403
    as_user(client, other)
    assert client.get(f"/murs/messages/{post.id}/modifier").status_code == 403
    assert client.post(f"/murs/messages/{post.id}/modifier",
                       data={"body": "Pirate"}).status_code == 403
    assert client.get(f"/murs/messages/{post.id}/versions").status_code == 403
    as_user(client, moderator)
    page = client.get(f"/murs/messages/{post.id}").text
    assert f"/murs/messages/{post.id}/versions" in page
    versions = client.get(f"/murs/messages/{post.id}/versions")
    assert versions.status_code == 200
    assert "Version 1" in versions.text and "Version 2" in versions.text


def test_moderator_editing_someone_else_gives_a_reason(client, member, moderator,
                                                       general_wall):
    post = publish(member, general_wall, "Appelez-moi au 06 12 34 56 78")
    login(client, moderator)
    form = client.get(f"/murs/messages/{post.id}/modifier")
    assert 'name="reason"' in form.text
    refused = client.post(f"/murs/messages/{post.id}/modifier",
                          data={"body": "Appelez-moi [numéro retiré]", "reason": ""})
    assert refused.status_code == 400 and "Le motif est obligatoire." in refused.text
    assert "Appelez-moi [numéro retiré]</textarea>" in refused.text
    assert client.post(f"/murs/messages/{post.id}/modifier", data={
        "body": "Appelez-moi [numéro retiré]",
        "reason": "Données personnelles"}).status_code == 302
    assert "Données personnelles" in client.get(f"/murs/messages/{post.id}/versions").text


def test_comment_edit_and_versions(client, member, other, moderator, general_wall):
    post = publish(member, general_wall, "Vos retours ?")
    comment = comment_on(other, post, "Premièr jet")
    login(client, other)
    assert client.post(f"/murs/commentaires/{comment.id}/modifier",
                       data={"body": "Premier jet"}).status_code == 302
    assert client.get(f"/murs/commentaires/{comment.id}/versions").status_code == 403
    as_user(client, moderator)
    versions = client.get(f"/murs/commentaires/{comment.id}/versions")
    assert versions.status_code == 200 and "Premièr jet" in versions.text


def test_author_deletes_post_softly(client, member, other, general_wall):
    post = publish(member, general_wall, "À retirer")
    login(client, other)
    assert client.post(f"/murs/messages/{post.id}/supprimer").status_code == 403
    as_user(client, member)
    response = client.post(f"/murs/messages/{post.id}/supprimer")
    assert response.status_code == 302 and response.location.endswith("/murs/general")
    assert fresh(Post, post.id).deleted_at is not None
    assert "À retirer" not in client.get("/murs/general").text
    assert client.get(f"/murs/messages/{post.id}").status_code == 404


def test_author_deletes_comment_softly(client, member, other, general_wall):
    post = publish(member, general_wall, "Fil")
    comment = comment_on(other, post, "À retirer")
    login(client, member)
    assert client.post(f"/murs/commentaires/{comment.id}/supprimer").status_code == 403
    as_user(client, other)
    assert client.post(f"/murs/commentaires/{comment.id}/supprimer").status_code == 302
    assert fresh(Comment, comment.id).deleted_at is not None
    assert "À retirer" not in client.get(f"/murs/messages/{post.id}").text


# Reactions ---------------------------------------------------------------------------------

def test_reactions_json_and_form(client, member, other, general_wall):
    post = publish(member, general_wall, "Merci !")
    login(client, other)
    url = f"/murs/messages/{post.id}/reactions"
    json = {"Accept": "application/json"}
    response = client.post(url, data={"kind": "merci"}, headers=json)
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "target_type": "post", "target_id": post.id,
                                   "counts": {"merci": 1}, "mine": ["merci"]}
    response = client.post(url, data={"kind": "merci"}, headers=json)
    assert response.get_json()["counts"] == {} and response.get_json()["mine"] == []
    bad = client.post(url, data={"kind": "coeur"}, headers=json)
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid"
    plain = client.post(url, data={"kind": "bravo", "next": "/murs/general"})
    assert plain.status_code == 302 and plain.location.endswith("/murs/general")
    offsite = client.post(url, data={"kind": "bravo", "next": "https://evil.example/"})
    assert offsite.location.endswith(f"/murs/messages/{post.id}")
    page = client.get("/murs/general").text
    assert 'data-kind="bravo" aria-pressed="false"' in page
    client.post(url, data={"kind": "idee"})
    page = client.get("/murs/general").text
    assert 'data-kind="idee" aria-pressed="true"' in page
    assert _count(Reaction) == 1


def test_reaction_on_comment(as_member, member, other, general_wall):
    post = publish(other, general_wall, "Fil")
    comment = comment_on(other, post, "Idée")
    response = as_member.post(f"/murs/commentaires/{comment.id}/reactions",
                              data={"kind": "idee"}, headers={"Accept": "application/json"})
    assert response.get_json()["counts"] == {"idee": 1}
    back = as_member.post(f"/murs/commentaires/{comment.id}/reactions", data={"kind": "idee"})
    assert back.location.endswith(f"/murs/messages/{post.id}#commentaire-{comment.id}")


# Mentions ----------------------------------------------------------------------------------

def test_mention_notifies_and_links_to_profile(as_member, other, general_wall):
    _post(as_member, general_wall, body=f"Merci @[Hélène Garnier]({other.id}) !")
    assert f'<a href="/membres/{other.id}" rel="nofollow noopener">@Hélène Garnier</a>' \
        in as_member.get("/murs/general").text
    [notification] = db.session.scalars(select(Notification).where(
        Notification.user_id == other.id, Notification.kind == "mention"))
    assert notification.url.startswith("/murs/messages/")


def test_member_suggestions_for_mentions(as_member, member, suspended):
    make_user(name="Hélène Garnier")
    make_user(name="Anne-Hélène Roux")
    make_user(name="Michel Hélénon")
    response = as_member.get("/membres/suggestions?q=hele")
    assert response.status_code == 200
    assert [m["display_name"] for m in response.get_json()] == [
        "Hélène Garnier", "Anne-Hélène Roux", "Michel Hélénon"]
    assert set(response.get_json()[0]) == {"id", "display_name"}
    assert as_member.get("/membres/suggestions?q=h").get_json() == []
    assert as_member.get("/membres/suggestions?q=herve").get_json() == []  # suspended
    assert as_member.get("/membres/suggestions?q=%25%25").get_json() == []
    many = [make_user(name=f"Hélène {n}") for n in range(10)]
    assert len(many) == 10 and len(as_member.get("/membres/suggestions?q=hél").get_json()) == 8


# XSS ---------------------------------------------------------------------------------------

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html


def test_xss_payloads_render_inert(client, member, moderator, general_wall):
    evil = make_user(name='Evil <img src=x onerror=alert(1)>')
    login(client, member)
    _post(client, general_wall, kind="question", title=PAYLOAD,
          body=f"{PAYLOAD} [lien](javascript:alert(1)) @[x]({evil.id})")
    post = db.session.scalar(select(Post))
    client.post(f"/murs/messages/{post.id}/commentaires", data={"body": PAYLOAD})
    comment = db.session.scalar(select(Comment))
    with transaction():
        services.check_hide(moderator, services.access_comment(moderator, comment.id), PAYLOAD)
    with transaction():
        services.check_edit_post(moderator, services.access_post(moderator, post.id),
                                 body="Corrigé", title="Corrigé", reason=PAYLOAD)
    for url in ("/murs/general", f"/murs/messages/{post.id}", "/questions",
                f"/murs/messages/{post.id}/fragment", f"/murs/commentaires/{comment.id}/fragment"):
        page = client.get(url)
        assert page.status_code == 200, url
        _inert(page.text)
    as_user(client, moderator)
    for url in (f"/murs/messages/{post.id}/versions", f"/murs/messages/{post.id}"):
        page = client.get(url).text
        _inert(page)
        assert "&lt;script&gt;" in page
    versions = client.get(f"/murs/messages/{post.id}/versions").text
    assert 'href="javascript' not in versions and f'href="/membres/{evil.id}"' in versions


# Q&A ---------------------------------------------------------------------------------------

def test_accept_an_answer_shows_it_first(client, member, other, moderator, general_wall):
    question = publish(member, general_wall, "Comment faire ?", title="Comment faire ?",
                       kind="question")
    first = comment_on(other, question, "Première idée")
    best = comment_on(moderator, question, "La bonne réponse")
    login(client, other)
    assert "Retenir cette réponse" not in client.get(f"/murs/messages/{question.id}").text
    assert client.post(f"/murs/messages/{question.id}/reponse-retenue",
                       data={"comment_id": best.id}).status_code == 403
    as_user(client, member)
    page = client.get(f"/murs/messages/{question.id}").text
    assert page.count("Retenir cette réponse") == 2
    response = client.post(f"/murs/messages/{question.id}/reponse-retenue",
                           data={"comment_id": best.id})
    assert response.status_code == 302
    page = client.get(f"/murs/messages/{question.id}").text
    assert "Réponse retenue" in page and "Résolue" in page
    assert page.index("La bonne réponse") < page.index("Première idée")
    assert page.index(f'id="commentaire-{best.id}"') < page.index(f'id="commentaire-{first.id}"')
    assert client.post(f"/murs/messages/{question.id}/reponse-retenue",
                       data={"comment_id": "x"}).status_code == 400
    assert client.post(f"/murs/messages/{question.id}/reponse-retenue",
                       data={"comment_id": ""}).status_code == 302
    assert fresh(Post, question.id).accepted_comment_id is None


def test_open_questions_page_and_filters(as_member, member, other, general_wall):
    publish(other, general_wall, "Emploi ?", title="Question emploi", kind="question",
            tags={"domain": ["emploi"], "region": ["ARA"]})
    publish(other, general_wall, "Mobilité ?", title="Question mobilité", kind="question",
            tags={"domain": ["mobilite"], "region": ["BRE"]})
    publish(other, general_wall, "Pas une question", title="Discussion")
    page = as_member.get("/questions").text
    assert "Question emploi" in page and "Question mobilité" in page
    assert "Discussion" not in page.split("<main")[1].split("questions-title")[1]
    filtered = as_member.get("/questions?domain=emploi").text
    assert "Question emploi" in filtered and "Question mobilité" not in filtered
    assert "Question mobilité" in as_member.get("/questions?region=BRE").text
    assert "Question emploi" not in as_member.get("/questions?region=BRE").text
    # A forged filter is ignored, not an error.
    assert as_member.get("/questions?domain=nope&avant=abc").status_code == 200


# Follows -----------------------------------------------------------------------------------

def test_follow_and_unfollow_wall_and_post(as_member, member, other, general_wall):
    post = publish(other, general_wall, "À suivre")
    assert "Suivre ce mur" in as_member.get("/murs/general").text
    assert as_member.post("/murs/general/suivre").status_code == 302
    page = as_member.get("/murs/general").text
    assert "Vous suivez ce mur" in page and "Suivi" in page
    assert general_wall.id in services.followed_wall_ids(member)
    as_member.post("/murs/general/ne-plus-suivre")
    assert general_wall.id not in services.followed_wall_ids(member)
    assert as_member.post(f"/murs/messages/{post.id}/suivre",
                          data={"next": "/murs/general"}).location.endswith("/murs/general")
    assert services.is_following(member, "post", post.id)
    as_member.post(f"/murs/messages/{post.id}/ne-plus-suivre")
    assert not services.is_following(member, "post", post.id)
    assert as_member.post("/murs/inconnu/suivre").status_code == 404
    assert as_member.post("/murs/messages/999/suivre").status_code == 404


# Pagination, fragments and query counts ----------------------------------------------------

def test_older_posts_by_keyset(as_member, member, general_wall):
    posts = [publish(member, general_wall, f"Message numéro {n:02d}") for n in range(25)]
    page = as_member.get("/murs/general").text
    assert "Message numéro 24" in page and "Message numéro 05" in page
    assert "Message numéro 04" not in page
    assert f"/murs/general?avant={posts[5].id}" in page and "Messages plus anciens" in page
    older = as_member.get(f"/murs/general?avant={posts[5].id}").text
    assert "Message numéro 04" in older and "Message numéro 05" not in older
    assert "Messages plus anciens" not in older
    assert as_member.get("/murs/general?avant=99999999999999").status_code == 200


def test_fragments(client, member, other, moderator, general_wall):
    post = publish(member, general_wall, "Fragment")
    comment = comment_on(other, post, "Commentaire fragment")
    login(client, other)
    fragment = client.get(f"/murs/messages/{post.id}/fragment?retour=/murs/general")
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<article")
    assert 'name="next" value="/murs/general"' in fragment.text
    assert "<html" not in fragment.text
    evil = client.get(f"/murs/messages/{post.id}/fragment?retour=https://evil.example")
    assert "evil.example" not in evil.text
    one = client.get(f"/murs/commentaires/{comment.id}/fragment")
    assert one.status_code == 200 and one.text.lstrip().startswith("<li")
    with transaction():
        services.check_hide(moderator, services.access_post(moderator, post.id), "Hors charte")
    assert client.get(f"/murs/messages/{post.id}/fragment").status_code == 404
    assert client.get(f"/murs/commentaires/{comment.id}/fragment").status_code == 404
    assert client.get("/murs/messages/99999/fragment").status_code == 404
    assert client.get("/murs/messages/99999999999/fragment").status_code == 404


def _fill_wall(wall, first, last, authors, commenters):
    for n in range(first, last):
        author = authors[n % len(authors)]
        post = publish(author, wall, f"Message {n} de {author.display_name}",
                       title=f"Titre {n}", tags={"domain": ["emploi"], "sdg": ["8"]})
        for k, commenter in enumerate(commenters):
            comment = comment_on(commenter, post, f"Commentaire {k} sur {n}")
            with transaction():
                services.check_toggle_reaction(commenter, "post", post.id, "merci")
                services.check_toggle_reaction(author, "comment", comment.id, "bravo")
        comment_on(author, post, f"Réponse {n}", parent_id=comment.id)


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_wall_page_query_count_does_not_grow(client, general_wall, role):
    reader = make_user(role=role)
    authors = [make_user() for _ in range(4)]
    commenters = [make_user() for _ in range(2)]
    login(client, reader)
    counts = []
    for first, last in ((0, 10), (10, 50)):
        _fill_wall(general_wall, first, last, authors, commenters)
        client.get("/murs/general")
        with count_queries() as counter:
            assert client.get("/murs/general").status_code == 200
        counts.append(counter.count)
    assert db.session.scalar(select(func.count()).select_from(Post)) == 50
    assert counts[0] == counts[1], counts


def test_post_page_query_count_does_not_grow(client, member, general_wall):
    authors = [make_user() for _ in range(3)]
    post = publish(member, general_wall, "Beaucoup de réponses")
    login(client, member)
    counts = []
    for n in (3, 30):
        while db.session.scalar(select(func.count()).select_from(Comment)) < n:
            k = db.session.scalar(select(func.count()).select_from(Comment))
            comment_on(authors[k % 3], post, f"Réponse {k}")
        client.get(f"/murs/messages/{post.id}")
        with count_queries() as counter:
            client.get(f"/murs/messages/{post.id}")
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
