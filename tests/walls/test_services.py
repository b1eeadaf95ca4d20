"""Wall services: posting, validation, pre-moderation, comments, edits, reactions,
mentions, Q&A and follows — called as the views call them, one transaction each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.moderation.models import ModerationAction
from app.notifications import services as notifications
from app.notifications.models import Activity, Notification
from app.uploads import check_upload
from app.walls import services
from app.walls.models import Comment, Post, Reaction, Revision
from tests.factories import make_user
from tests.walls.conftest import comment_on, fresh, png_bytes, publish


def _notifications(user, kind=None):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


# Walls -------------------------------------------------------------------------------------

def test_general_wall_is_listed_first(app, member, moderator, general_wall, theme_wall):
    walls = services.walls_for(member)
    assert [w.slug for w in walls] == ["general", "mobilite-rurale"]
    assert general_wall.name == "Mur général" and general_wall.is_general


def test_ensuring_the_general_wall_twice_creates_one(app, general_wall):
    with transaction():
        again = services.do_ensure_general_wall()
    assert again.id == general_wall.id


def test_only_moderators_create_walls(app, member, moderator):
    with pytest.raises(PermissionDenied), transaction():
        services.check_create_wall(member, "Mon mur")
    with transaction():
        wall = services.check_create_wall(moderator, "  Santé  mentale ", "", "all")
    assert (wall.name, wall.slug, wall.premoderation) == ("Santé mentale", "sante-mentale", "all")
    assert notifications.is_following(moderator, "wall", wall.id)
    with transaction():
        twin = services.check_create_wall(moderator, "Santé mentale")
    assert twin.slug == "sante-mentale-2"


@pytest.mark.parametrize(("name", "premoderation", "field"), [
    ("", "off", "name"), ("x" * 121, "off", "name"), ("Emploi", "sometimes", "premoderation"),
])
def test_wall_validation(app, moderator, name, premoderation, field):
    with pytest.raises(Invalid) as error, transaction():
        services.check_create_wall(moderator, name, "", premoderation)
    assert error.value.field == field


def test_unknown_and_project_walls_look_absent(app, member, general_wall):
    with pytest.raises(NotFound):
        services.access_wall(member, 999)
    with transaction():
        owned = services.do_create_owned_wall("Projet X", "project", 7)
    with pytest.raises(NotFound):
        services.access_wall(member, owned.id)
    assert owned not in services.walls_for(member)


# Posting -----------------------------------------------------------------------------------

def test_member_posts_a_discussion_and_a_question(app, member, general_wall):
    post = publish(member, general_wall, "Qui a monté un **tiers-lieu** rural ?")
    assert (post.kind, post.state, post.title) == ("discussion", "published", "")
    assert "<strong>tiers-lieu</strong>" in post.body_html
    question = publish(member, general_wall, "Comment financer un transport solidaire ?",
                       title="Financer la mobilité", kind="question",
                       tags={"domain": ["mobilite"], "region": ["ARA"], "sdg": ["11"]})
    assert question.kind == "question"
    loaded = services.access_post(member, question.id)
    assert {(t.vocabulary, t.code) for t in loaded.tags} == {
        ("domain", "mobilite"), ("region", "ARA"), ("sdg", "11")}
    assert notifications.is_following(member, "post", question.id)


def test_a_question_needs_a_title(app, member, general_wall):
    with pytest.raises(Invalid) as error:
        publish(member, general_wall, "Sans titre ?", kind="question")
    assert error.value.field == "title"


def test_announcements_are_for_moderators(app, member, moderator, general_wall):
    with pytest.raises(PermissionDenied):
        publish(member, general_wall, "Annonce !", kind="announcement")
    post = publish(moderator, general_wall, "Rencontre annuelle le 12 juin", kind="announcement",
                   title="Rencontre annuelle")
    assert post.kind == "announcement"
    activity = db.session.scalar(select(Activity).where(Activity.object_id == post.id))
    assert activity.verb == "announcement" and activity.broadcast


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"body": ""}, "body"),
    ({"body": "   \n  "}, "body"),
    ({"body": "x" * 20_001}, "body"),
    ({"title": "t" * 201}, "title"),
    ({"kind": "poll"}, "kind"),
    ({"tags": {"domain": ["inconnu"]}}, "domain"),
    ({"tags": {"region": ["ATLANTIDE"]}}, "region"),
    ({"tags": {"sdg": ["18"]}}, "sdg"),
])
def test_post_validation(app, member, general_wall, kwargs, field):
    data = {"body": "Un message correct", **kwargs}
    with pytest.raises(Invalid) as error:
        publish(member, general_wall, **data)
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Post)) == 0


def test_too_many_attachments(app, member, general_wall):
    image = check_upload("photo.png", png_bytes(), services.ATTACHMENT_TYPES, 10_000)
    with pytest.raises(Invalid) as error:
        publish(member, general_wall, "Six photos", files=[image] * 6)
    assert error.value.field == "files"


def test_the_same_post_twice_within_two_minutes_is_refused(app, member, general_wall):
    first = publish(member, general_wall, "Double clic")
    with pytest.raises(Invalid) as error:
        publish(member, general_wall, "Double clic")
    assert "exactement ce message" in str(error.value.message)
    with transaction():
        fresh(Post, first.id).created_at -= timedelta(minutes=3)
    assert publish(member, general_wall, "Double clic").id != first.id


def test_a_deleted_post_can_be_published_again(app, member, general_wall):
    post = publish(member, general_wall, "Oups, je recommence")
    with transaction():
        services.check_delete_post(member, services.access_post(member, post.id))
    assert publish(member, general_wall, "Oups, je recommence").id != post.id


def test_attachments_are_stored(app, member, general_wall):
    image = check_upload("plan d'accès.png", png_bytes(), services.ATTACHMENT_TYPES, 10_000)
    post = publish(member, general_wall, "Le plan", files=[image])
    loaded = services.access_post(member, post.id)
    [attachment] = loaded.attachments
    assert attachment.filename == "plan d'accès.png" and attachment.is_image
    assert attachment.content_type == "image/png" and attachment.size == len(image.data)


# Pre-moderation ----------------------------------------------------------------------------

def _visible_ids(user, wall):
    return [v.post.id for v in services.wall_page(user, wall).posts]


def test_premoderation_all_holds_members_posts(app, member, other, moderator):
    with transaction():
        wall = services.check_create_wall(moderator, "Modéré", "", "all")
    post = publish(member, wall, "J'attends la validation")
    assert post.state == "pending"
    assert _visible_ids(other, wall) == []
    assert _visible_ids(member, wall) == [post.id]
    assert _visible_ids(moderator, wall) == [post.id]
    with pytest.raises(NotFound):
        services.access_post(other, post.id)
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    # Moderators' own posts go straight through.
    assert publish(moderator, wall, "Bienvenue").state == "published"
    with transaction():
        services.check_approve(moderator, services.access_post(moderator, post.id))
    assert _visible_ids(other, wall)[-1] == post.id


def test_premoderation_new_members_only(app, member, other, moderator):
    with transaction():
        wall = services.check_create_wall(moderator, "Nouveaux", "", "new_members")
        general = services.do_ensure_general_wall()
    for n in range(services.NEW_MEMBER_POSTS):
        publish(other, general, f"Message d'habitué n°{n}")
    assert publish(member, wall, "Premier message").state == "pending"
    assert publish(other, wall, "Je suis connu·e").state == "published"


def test_rejected_post_stays_with_its_author(app, member, other, moderator):
    with transaction():
        wall = services.check_create_wall(moderator, "Modéré", "", "all")
    post = publish(member, wall, "Hors charte")
    with pytest.raises(Invalid), transaction():
        services.check_reject(moderator, services.access_post(moderator, post.id), "")
    with transaction():
        services.check_reject(moderator, services.access_post(moderator, post.id), "Hors sujet")
    assert fresh(Post, post.id).state == "rejected"
    assert _visible_ids(other, wall) == []
    assert [n.text for n in _notifications(member, "moderation")] == [
        "L'équipe d'animation a agi sur votre message (refusé) : Hors sujet"]


# Comments ----------------------------------------------------------------------------------

def test_comments_and_one_level_of_replies(app, member, other, general_wall):
    post = publish(member, general_wall, "Vos retours ?")
    first = comment_on(other, post, "Premier retour")
    reply = comment_on(member, post, "Merci !", parent_id=first.id)
    deeper = comment_on(other, post, "Avec plaisir", parent_id=reply.id)
    assert reply.parent_id == first.id
    assert deeper.parent_id == first.id  # a reply to a reply joins the thread
    view = services.post_view(member, services.access_post(member, post.id))
    assert [c.comment.id for c in view.comments] == [first.id]
    assert [r.comment.id for r in view.comments[0].replies] == [reply.id, deeper.id]
    assert view.comment_total == 3
    assert fresh(Post, post.id).comment_count == 3
    # The post's author hears of each comment by someone else, the thread's author of the
    # replies in it; the commenter follows the post.
    assert [n.kind for n in _notifications(member)] == ["reply", "reply"]
    assert [n.kind for n in _notifications(other)] == ["reply"]
    assert notifications.is_following(other, "post", post.id)


def test_reply_to_a_missing_or_hidden_comment_is_refused(app, member, other, moderator,
                                                         general_wall):
    post = publish(member, general_wall, "Vos retours ?")
    elsewhere = publish(member, general_wall, "Autre sujet")
    foreign = comment_on(other, elsewhere, "Ailleurs")
    for parent_id in (9999, foreign.id):
        with pytest.raises(Invalid):
            comment_on(other, post, "Réponse", parent_id=parent_id)
    thread = comment_on(other, post, "Fil")
    reply = comment_on(member, post, "Réponse au fil", parent_id=thread.id)
    with transaction():
        services.check_hide(moderator, services.access_comment(moderator, thread.id), "Spam")
    with pytest.raises(Invalid):
        comment_on(other, post, "Sous un fil masqué", parent_id=reply.id)


def test_locked_comments(app, member, other, moderator, general_wall):
    post = publish(member, general_wall, "Débat clos")
    with transaction():
        services.check_set_locked(moderator, services.access_post(moderator, post.id), True)
    with pytest.raises(PermissionDenied):
        comment_on(other, post, "Encore un mot")
    assert comment_on(moderator, post, "Je clos le débat").id


def test_duplicate_comment_is_refused(app, member, other, general_wall):
    post = publish(member, general_wall, "Vos retours ?")
    comment_on(other, post, "+1")
    with pytest.raises(Invalid):
        comment_on(other, post, "+1")


@pytest.mark.parametrize("body", ["", "  ", "y" * 10_001])
def test_comment_validation(app, member, general_wall, body):
    post = publish(member, general_wall, "Vos retours ?")
    with pytest.raises(Invalid):
        comment_on(member, post, body)


# Editing and deleting ----------------------------------------------------------------------

def test_edit_keeps_the_previous_version(app, member, general_wall):
    post = publish(member, general_wall, "Première version", title="Titre 1")
    with transaction():
        services.check_edit_post(member, services.access_post(member, post.id),
                                 body="Seconde version", title="Titre 2")
    loaded = fresh(Post, post.id)
    assert (loaded.title, loaded.body, loaded.edited_at is not None) == (
        "Titre 2", "Seconde version", True)
    [revision] = db.session.scalars(select(Revision))
    assert (revision.title, revision.body, revision.editor_id, revision.reason) == (
        "Titre 1", "Première version", member.id, None)
    with pytest.raises(PermissionDenied):
        services.revisions(member, "post", post.id)


def test_an_edit_that_changes_nothing_keeps_no_version(app, member, general_wall):
    post = publish(member, general_wall, "Inchangé")
    with transaction():
        services.check_edit_post(member, services.access_post(member, post.id),
                                 body="Inchangé", title="")
    assert fresh(Post, post.id).edited_at is None
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 0


def test_moderator_edit_needs_a_reason_and_is_logged(app, member, moderator, general_wall):
    post = publish(member, general_wall, "Mon numéro : 06 12 34 56 78")
    with pytest.raises(Invalid) as error, transaction():
        services.check_edit_post(moderator, services.access_post(moderator, post.id),
                                 body="Mon numéro : [retiré]")
    assert error.value.field == "reason"
    with transaction():
        services.check_edit_post(moderator, services.access_post(moderator, post.id),
                                 body="Mon numéro : [retiré]", reason="Données personnelles")
    [revision] = services.revisions(moderator, "post", post.id)
    assert revision.reason == "Données personnelles" and revision.editor_id == moderator.id
    log = db.session.scalar(select(ModerationAction))
    assert (log.action, log.reason, log.target_user_id) == (
        "post.edit", "Données personnelles", member.id)
    assert [n.kind for n in _notifications(member)] == ["moderation"]


def test_other_members_cannot_edit_or_delete(app, member, other, general_wall):
    post = publish(member, general_wall, "À moi")
    comment = comment_on(member, post, "À moi aussi")
    with pytest.raises(PermissionDenied), transaction():
        services.check_edit_post(other, services.access_post(other, post.id), body="Pirate")
    with pytest.raises(PermissionDenied), transaction():
        services.check_delete_post(other, services.access_post(other, post.id))
    with pytest.raises(PermissionDenied), transaction():
        services.check_edit_comment(other, services.access_comment(other, comment.id), "Pirate")
    with pytest.raises(PermissionDenied), transaction():
        services.check_delete_comment(other, services.access_comment(other, comment.id))


def test_author_delete_is_a_soft_delete(app, member, other, moderator, general_wall):
    post = publish(member, general_wall, "Je retire ce message")
    comment_on(other, post, "Dommage")
    with transaction():
        services.check_delete_post(member, services.access_post(member, post.id))
    row = fresh(Post, post.id)
    assert row is not None and row.deleted_at is not None and row.deleted_by_id == member.id
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
    for user in (member, other):
        with pytest.raises(NotFound):
            services.access_post(user, post.id)
        assert _visible_ids(user, general_wall) == []
    # A moderator can still open it (nothing is lost) but it is not on their wall page.
    assert services.access_post(moderator, post.id).deleted_at is not None
    assert _visible_ids(moderator, general_wall) == []


def test_comment_soft_delete(app, member, other, general_wall):
    post = publish(member, general_wall, "Vos retours ?")
    comment = comment_on(other, post, "Je me suis trompée")
    with transaction():
        services.check_delete_comment(other, services.access_comment(other, comment.id))
    assert fresh(Comment, comment.id).deleted_at is not None
    assert services.post_view(member, services.access_post(member, post.id)).comments == []
    assert fresh(Post, post.id).comment_count == 0


# Reactions ---------------------------------------------------------------------------------

def test_reactions_toggle(app, member, other, general_wall):
    post = publish(member, general_wall, "Merci à toutes")
    with transaction():
        counts = services.check_toggle_reaction(other, "post", post.id, "merci")
    assert counts == {"merci": 1}
    with transaction():
        services.check_toggle_reaction(member, "post", post.id, "merci")
        counts = services.check_toggle_reaction(member, "post", post.id, "bravo")
    assert counts == {"merci": 2, "bravo": 1}
    with transaction():
        counts = services.check_toggle_reaction(other, "post", post.id, "merci")
    assert counts == {"merci": 1, "bravo": 1}
    assert services.my_reactions(member, "post", post.id) == {"merci", "bravo"}
    view = services.post_view(other, services.access_post(other, post.id))
    assert view.reactions == {"merci": 1, "bravo": 1} and view.mine == set()
    # The author is told once about the other member's reaction, never about their own.
    assert [n.kind for n in _notifications(member)] == ["reaction"]


def test_reactions_on_comments(app, member, other, general_wall):
    post = publish(member, general_wall, "Merci à toutes")
    comment = comment_on(other, post, "De rien")
    with transaction():
        assert services.check_toggle_reaction(member, "comment", comment.id, "idee") == {
            "idee": 1}
    view = services.post_view(member, services.access_post(member, post.id))
    assert view.comments[0].reactions == {"idee": 1} and view.comments[0].mine == {"idee"}


def test_unknown_reaction_or_target(app, member, general_wall):
    post = publish(member, general_wall, "Merci à toutes")
    with pytest.raises(Invalid), transaction():
        services.check_toggle_reaction(member, "post", post.id, "coeur")
    with pytest.raises(NotFound), transaction():
        services.check_toggle_reaction(member, "wall", general_wall.id, "merci")
    with pytest.raises(NotFound), transaction():
        services.check_toggle_reaction(member, "post", 999, "merci")
    assert db.session.scalar(select(func.count()).select_from(Reaction)) == 0


# Mentions ----------------------------------------------------------------------------------

def test_mentions_notify_and_link_to_the_profile(app, member, other, general_wall):
    post = publish(member, general_wall, f"Bonjour @[Hélène]({other.id}), une idée ?")
    assert f'<a href="/membres/{other.id}" rel="nofollow noopener">@Hélène Garnier</a>' \
        in post.body_html
    [notification] = _notifications(other, "mention")
    assert notification.url == f"/murs/messages/{post.id}"
    assert "Sophie Martin vous a mentionné·e" in notification.text


def test_unknown_suspended_and_self_mentions(app, member, suspended, general_wall):
    post = publish(member, general_wall,
                   f"@[Fantôme](424242) @[Hervé]({suspended.id}) @[Moi]({member.id})")
    assert "/membres/424242" not in post.body_html and "@[Fantôme](424242)" in post.body_html
    assert f"/membres/{suspended.id}" not in post.body_html
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_mentions_in_comments_and_edits_notify_once(app, member, other, general_wall):
    third = make_user(name="Yannick Le Goff")
    post = publish(member, general_wall, "Sans mention")
    comment_on(member, post, f"@[Yannick]({third.id}) tu en penses quoi ?")
    assert [n.kind for n in _notifications(third)] == ["mention"]
    with transaction():
        services.check_edit_post(member, services.access_post(member, post.id),
                                 body=f"Avec @[Hélène]({other.id})")
    with transaction():
        services.check_edit_post(member, services.access_post(member, post.id),
                                 body=f"Avec @[Hélène]({other.id}) et des précisions")
    assert [n.kind for n in _notifications(other)] == ["mention"]


def test_pending_post_mentions_wait_for_approval(app, member, other, moderator):
    with transaction():
        wall = services.check_create_wall(moderator, "Modéré", "", "all")
    post = publish(member, wall, f"Bonjour @[Hélène]({other.id})")
    assert _notifications(other) == []
    with transaction():
        services.check_approve(moderator, services.access_post(moderator, post.id))
    assert [n.kind for n in _notifications(other)] == ["mention"]


# Questions and answers ---------------------------------------------------------------------

@pytest.fixture
def question(app, member, general_wall):
    return publish(member, general_wall, "Comment mobiliser les entreprises ?",
                   title="Mobiliser les entreprises", kind="question",
                   tags={"domain": ["emploi"], "region": ["ARA"]})


def test_author_accepts_an_answer(app, member, other, question):
    first = comment_on(other, question, "Par un club d'entreprises")
    helper = make_user()
    second = comment_on(helper, question, "Par la chambre de commerce")
    with transaction():
        services.check_accept_answer(member, services.access_post(member, question.id),
                                     second.id)
    view = services.post_view(other, services.access_post(other, question.id))
    assert view.accepted.comment.id == second.id
    assert [c.comment.id for c in view.comments] == [first.id, second.id]
    assert [n.kind for n in _notifications(helper, "accepted_answer")] == ["accepted_answer"]
    assert services.open_questions(other, services.QuestionFilters()).posts == []
    with transaction():
        services.check_accept_answer(member, services.access_post(member, question.id), None)
    assert fresh(Post, question.id).accepted_comment_id is None


def test_only_the_author_or_a_moderator_accepts(app, member, other, moderator, question):
    answer = comment_on(other, question, "Ma réponse")
    with pytest.raises(PermissionDenied), transaction():
        services.check_accept_answer(other, services.access_post(other, question.id), answer.id)
    with transaction():
        services.check_accept_answer(moderator, services.access_post(moderator, question.id),
                                     answer.id)
    assert fresh(Post, question.id).accepted_comment_id == answer.id


def test_replies_and_foreign_comments_cannot_be_accepted(app, member, other, question,
                                                         general_wall):
    answer = comment_on(other, question, "Ma réponse")
    reply = comment_on(member, question, "Merci", parent_id=answer.id)
    foreign = comment_on(other, publish(member, general_wall, "Ailleurs"), "Hors sujet")
    for comment_id in (reply.id, foreign.id, 9999):
        with pytest.raises(Invalid), transaction():
            services.check_accept_answer(member, services.access_post(member, question.id),
                                         comment_id)


def test_discussions_have_no_accepted_answer(app, member, other, general_wall):
    post = publish(member, general_wall, "Simple discussion")
    answer = comment_on(other, post, "Réponse")
    with pytest.raises(PermissionDenied), transaction():
        services.check_accept_answer(member, services.access_post(member, post.id), answer.id)


def test_deleting_the_accepted_answer_reopens_the_question(app, member, other, question):
    answer = comment_on(other, question, "Ma réponse")
    with transaction():
        services.check_accept_answer(member, services.access_post(member, question.id),
                                     answer.id)
    with transaction():
        services.check_delete_comment(other, services.access_comment(other, answer.id))
    assert fresh(Post, question.id).accepted_comment_id is None


def test_open_questions_and_filters(app, member, other, general_wall, theme_wall, question):
    second = publish(other, theme_wall, "Quelles aides pour le covoiturage ?",
                     title="Aides au covoiturage", kind="question",
                     tags={"domain": ["mobilite"], "region": ["BRE"]})
    publish(other, general_wall, "Pas une question")

    def ids(**filters):
        page = services.open_questions(member, services.QuestionFilters(**filters))
        return [v.post.id for v in page.posts]

    assert ids() == [second.id, question.id]
    assert ids(domain="emploi") == [question.id]
    assert ids(region="BRE") == [second.id]
    assert ids(domain="emploi", region="BRE") == []
    page = services.open_questions(member, services.QuestionFilters(), limit=1)
    assert page.next_cursor == second.id
    assert [v.post.id for v in services.open_questions(
        member, services.QuestionFilters(), before_id=page.next_cursor).posts] == [question.id]


# Follows and pagination --------------------------------------------------------------------

def test_follow_and_unfollow(app, member, general_wall):
    post = publish(make_user(), general_wall, "À suivre")
    with transaction():
        services.check_follow(member, "wall", general_wall.id, True)
        services.check_follow(member, "post", post.id, True)
    assert services.followed_wall_ids(member) == {general_wall.id}
    assert services.post_view(member, services.access_post(member, post.id)).following
    with transaction():
        services.check_follow(member, "wall", general_wall.id, False)
        services.check_follow(member, "post", post.id, False)
    assert services.followed_wall_ids(member) == set()
    with pytest.raises(NotFound), transaction():
        services.check_follow(member, "project", 1, True)


def test_wall_page_keyset_and_pinned_first(app, member, moderator, general_wall):
    posts = [publish(member, general_wall, f"Message {n}") for n in range(5)]
    with transaction():
        services.check_set_pinned(moderator, services.access_post(moderator, posts[1].id), True)
    page = services.wall_page(member, general_wall, limit=2)
    assert [v.post.id for v in page.posts] == [posts[1].id, posts[4].id, posts[3].id]
    assert page.next_cursor == posts[3].id
    page = services.wall_page(member, general_wall, before_id=page.next_cursor, limit=2)
    assert [v.post.id for v in page.posts] == [posts[2].id, posts[0].id]
    assert page.next_cursor is None


def test_hidden_post_disappears_for_members_but_not_its_author(app, member, other, moderator,
                                                               general_wall):
    post = publish(member, general_wall, "Limite")
    with transaction():
        services.check_hide(moderator, services.access_post(moderator, post.id), "Hors charte")
    assert _visible_ids(other, general_wall) == []
    with pytest.raises(NotFound):
        services.access_post(other, post.id)
    assert _visible_ids(member, general_wall) == [post.id]  # with a "masqué" note
    assert _visible_ids(moderator, general_wall) == [post.id]
    with transaction():
        services.check_unhide(moderator, services.access_post(moderator, post.id))
    assert _visible_ids(other, general_wall) == [post.id]


def test_move_a_post(app, member, moderator, general_wall, theme_wall):
    post = publish(member, general_wall, "Mauvais mur")
    with transaction():
        services.check_move(moderator, services.access_post(moderator, post.id), theme_wall.id,
                            "Plus à sa place ici")
    assert fresh(Post, post.id).wall_id == theme_wall.id
    assert _visible_ids(member, general_wall) == []
    assert _visible_ids(member, theme_wall) == [post.id]


# The news feed -----------------------------------------------------------------------------

def _excerpts(user):
    return [a.data.get("excerpt") for a in notifications.feed(fresh(type(user), user.id)).items]


def test_feed_posts_for_wall_followers_comments_for_post_followers(app, member, other,
                                                                   moderator, general_wall):
    with transaction():
        services.check_follow(member, "wall", general_wall.id, True)
    post = publish(other, general_wall, "Un nouveau message sur le mur")
    comment = comment_on(moderator, post, "Un commentaire à suivre")
    assert _excerpts(member) == ["Un nouveau message sur le mur"]
    with transaction():
        services.check_follow(member, "post", post.id, True)
    assert _excerpts(member) == ["Un commentaire à suivre", "Un nouveau message sur le mur"]
    activity = db.session.scalar(select(Activity).where(Activity.verb == "comment.created"))
    assert (activity.object_type, activity.object_id, activity.context_type,
            activity.context_id) == ("comment", comment.id, "post", post.id)
    # An edit refreshes the excerpt; hiding the comment takes it out of the feed.
    with transaction():
        services.check_edit_comment(moderator, services.access_comment(moderator, comment.id),
                                    "Un commentaire corrigé")
    assert _excerpts(member)[0] == "Un commentaire corrigé"
    with transaction():
        services.check_hide(moderator, services.access_comment(moderator, comment.id), "Spam")
    assert _excerpts(member) == ["Un nouveau message sur le mur"]


def test_answers_reach_the_asker_and_hidden_posts_leave_the_feed(app, member, other,
                                                                 moderator, general_wall):
    question = publish(member, general_wall, "Une question ?", title="Question",
                       kind="question")
    comment_on(other, question, "Une réponse")
    with transaction():
        services.check_follow(moderator, "wall", general_wall.id, True)
    assert _excerpts(member) == ["Une réponse"]
    assert _excerpts(moderator) == ["Une question ?"]
    with transaction():
        services.check_hide(moderator, services.access_post(moderator, question.id), "Doublon")
    assert _excerpts(member) == [] and _excerpts(moderator) == []
