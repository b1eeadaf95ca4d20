"""Who may do what on the walls: member, author, moderator and suspended member, through
the pages they would use."""

from __future__ import annotations

import pytest

from app.accounts import services as accounts
from app.db import transaction
from app.errors import NotFound
from app.walls import services
from tests.conftest import login
from tests.factories import make_user
from tests.walls.conftest import comment_on, publish


@pytest.fixture
def scene(app, general_wall):
    """An author's question with an answer by someone else, on the general wall."""
    author = make_user(name="Autrice Question")
    answerer = make_user(name="Répondant")
    post = publish(author, general_wall, "Comment faire ?", title="Question", kind="question")
    answer = comment_on(answerer, post, "Comme ça")
    return {"author": author, "answerer": answerer, "post": post, "answer": answer}


def _requests(scene):
    post, answer = scene["post"], scene["answer"]
    return {
        "view wall": ("GET", "/murs/general", {}),
        "view post": ("GET", f"/murs/messages/{post.id}", {}),
        "edit post form": ("GET", f"/murs/messages/{post.id}/modifier", {}),
        "edit post": ("POST", f"/murs/messages/{post.id}/modifier",
                      {"title": "Question", "body": "Modifié", "reason": "Correction"}),
        "post versions": ("GET", f"/murs/messages/{post.id}/versions", {}),
        "comment versions": ("GET", f"/murs/commentaires/{answer.id}/versions", {}),
        "edit comment": ("POST", f"/murs/commentaires/{answer.id}/modifier",
                         {"body": "Autrement", "reason": "Correction"}),
        "accept answer": ("POST", f"/murs/messages/{post.id}/reponse-retenue",
                          {"comment_id": str(answer.id)}),
        "comment": ("POST", f"/murs/messages/{post.id}/commentaires", {"body": "Un avis"}),
        "react": ("POST", f"/murs/messages/{post.id}/reactions", {"kind": "merci"}),
        "create wall": ("POST", "/murs", {"name": "Nouveau mur"}),
        "announce": ("POST", "/murs/general", {"kind": "announcement", "body": "Annonce"}),
        "wall settings": ("POST", "/murs/general/reglages", {"premoderation": "all"}),
        "delete comment": ("POST", f"/murs/commentaires/{answer.id}/supprimer",
                           {"reason": "Doublon"}),
        "delete post": ("POST", f"/murs/messages/{post.id}/supprimer", {"reason": "Doublon"}),
    }


OK, REDIRECT, FORBIDDEN = 200, 302, 403
EXPECTED = {
    # action:            (member, author, moderator)
    "view wall":         (OK, OK, OK),
    "view post":         (OK, OK, OK),
    "edit post form":    (FORBIDDEN, OK, OK),
    "edit post":         (FORBIDDEN, REDIRECT, REDIRECT),
    "post versions":     (FORBIDDEN, FORBIDDEN, OK),
    "comment versions":  (FORBIDDEN, FORBIDDEN, OK),
    "edit comment":      (FORBIDDEN, FORBIDDEN, REDIRECT),
    "accept answer":     (FORBIDDEN, REDIRECT, REDIRECT),
    "comment":           (REDIRECT, REDIRECT, REDIRECT),
    "react":             (REDIRECT, REDIRECT, REDIRECT),
    "create wall":       (FORBIDDEN, FORBIDDEN, REDIRECT),
    "announce":          (FORBIDDEN, FORBIDDEN, REDIRECT),
    "wall settings":     (FORBIDDEN, FORBIDDEN, REDIRECT),
    "delete comment":    (FORBIDDEN, FORBIDDEN, REDIRECT),
    "delete post":       (FORBIDDEN, REDIRECT, REDIRECT),
}


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("who", ["member", "author", "moderator"])
def test_permission_matrix(client, scene, moderator, who, action):
    user = {"member": make_user(name="Simple Membre"), "author": scene["author"],
            "moderator": moderator}[who]
    login(client, user)
    method, url, data = _requests(scene)[action]
    response = client.open(url, method=method, data=data)
    expected = EXPECTED[action][["member", "author", "moderator"].index(who)]
    assert response.status_code == expected, (who, action, response.status_code)


def test_the_answerer_edits_and_deletes_their_own_comment(client, scene):
    login(client, scene["answerer"])
    requests = _requests(scene)
    for action in ("edit comment", "delete comment"):
        method, url, data = requests[action]
        assert client.open(url, method=method, data=data).status_code == REDIRECT, action


def test_suspended_member_is_logged_out(client, member, admin, general_wall):
    login(client, member)
    assert client.get("/murs/general").status_code == 200
    with transaction():
        accounts.check_change_status(admin, member, "suspended")
    for method, url in (("GET", "/murs/general"), ("GET", "/questions"),
                        ("POST", "/murs/general")):
        response = client.open(url, method=method, data={"body": "Encore moi"})
        assert response.status_code == 302 and "/connexion" in response.location, url
    assert services.wall_page(admin, services.general_wall()).posts == []


def test_suspended_member_cannot_post_through_the_services(app, suspended, general_wall):
    with pytest.raises(NotFound):
        publish(suspended, general_wall, "Je ne devrais pas")


def test_hidden_post_is_404_for_members_and_visible_to_author_and_moderators(
        client, scene, moderator):
    post = scene["post"]
    with transaction():
        services.check_hide(moderator, services.access_post(moderator, post.id), "Hors charte")
    login(client, make_user())
    assert client.get(f"/murs/messages/{post.id}").status_code == 404
    assert client.post(f"/murs/messages/{post.id}/reactions",
                       data={"kind": "merci"}).status_code == 404
    assert client.post(f"/murs/messages/{post.id}/commentaires",
                       data={"body": "?"}).status_code == 404
    client.post("/deconnexion")
    login(client, scene["author"])
    page = client.get(f"/murs/messages/{post.id}")
    assert page.status_code == 200 and "Masqué par l" in page.text and "Hors charte" in page.text
    # The author can no longer edit hidden content; a moderator can.
    assert client.get(f"/murs/messages/{post.id}/modifier").status_code == 403
    client.post("/deconnexion")
    login(client, moderator)
    assert client.get(f"/murs/messages/{post.id}").status_code == 200
    assert client.get(f"/murs/messages/{post.id}/modifier").status_code == 200
