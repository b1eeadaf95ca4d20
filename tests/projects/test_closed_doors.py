"""What a private project keeps behind its door: nothing of its wall reaches a member who
left (feed, reply notifications), someone mentioned from outside, the network moderators'
queue, or the open pages of those outside when an open project turns private. A renamed
project renames its wall and its chat channel."""

from __future__ import annotations

from sqlalchemy import select

from app.chat import services as chat
from app.chat.models import Channel
from app.db import transaction
from app.extensions import db
from app.moderation import services as moderation
from app.notifications import services as notifications
from app.notifications.models import Notification
from app.projects import services
from app.walls import services as walls
from app.walls.models import Wall
from tests.chat.conftest import ack, socket_for
from tests.factories import make_user
from tests.projects.conftest import make_project


def access(user, project):
    return services.access_project(user, project.id)


def post_on(author, project, body):
    with transaction():
        wall = walls.access_wall(author, project.wall_id)
        return walls.check_create_post(author, wall, body=body)


def comment_on(author, post, body):
    with transaction():
        return walls.check_create_comment(author, walls.access_post(author, post.id), body)


def told(user, kind=None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def feed_objects(user) -> set[tuple[str, int]]:
    return {(a.object_type, a.object_id) for a in notifications.feed(user).items}


def test_leaving_a_private_project_ends_news_of_ones_old_posts(app, lead, teammate,
                                                               private_project):
    post = post_on(teammate, private_project, "Notre budget prévisionnel")
    before = comment_on(lead, post, "Je relis ce soir")
    assert ("comment", before.id) in feed_objects(teammate)
    assert len(told(teammate, "reply")) == 1

    with transaction():
        services.check_leave(teammate, access(teammate, private_project))
    assert not notifications.is_following(teammate, "post", post.id)
    after = comment_on(lead, post, "Le budget final est arrêté")

    assert ("comment", after.id) not in feed_objects(teammate)
    assert ("comment", before.id) not in feed_objects(teammate)
    assert len(told(teammate, "reply")) == 1


def test_a_follow_left_behind_opens_nothing(app, lead, teammate, private_project):
    """The feed and the notifications check who may see the wall, whatever is followed."""
    post = post_on(teammate, private_project, "Compte rendu du comité")
    with transaction():
        services.check_remove_member(lead, access(lead, private_project), teammate.id)
        notifications.do_follow(teammate, "post", post.id)  # as an older version left it
        notifications.do_follow(teammate, "wall", private_project.wall_id)
    comment = comment_on(lead, post, "Décision prise à l'unanimité")
    second = post_on(lead, private_project, "Ordre du jour suivant")

    objects = feed_objects(teammate)
    assert ("comment", comment.id) not in objects and ("post", second.id) not in objects
    assert told(teammate, "reply") == []


def test_an_open_projects_news_still_reach_an_old_follower(app, lead, teammate, open_project):
    post = post_on(teammate, open_project, "Ouvert à tous")
    with transaction():
        services.check_leave(teammate, access(teammate, open_project))
    comment = comment_on(lead, post, "Toujours lisible")
    assert ("comment", comment.id) in feed_objects(teammate)
    assert len(told(teammate, "reply")) == 1


def test_mentions_on_a_private_wall_reach_its_members_only(app, lead, teammate, outsider,
                                                           private_project):
    post = post_on(lead, private_project,
                   f"Avis de @[Olivier]({outsider.id}) et @[Hélène]({teammate.id}) ?")
    comment_on(lead, post, f"Relance pour @[Olivier]({outsider.id})")
    assert told(outsider) == []
    assert len(told(teammate, "mention")) == 1


def test_network_moderators_do_not_see_reports_on_a_private_wall(app, lead, teammate,
                                                                 open_project,
                                                                 private_project):
    moderator = make_user(name="Mehdi Benali", role="moderator")
    hidden = post_on(teammate, private_project, "Un message discuté")
    remark = comment_on(teammate, hidden, "Un commentaire discuté")
    shown = post_on(teammate, open_project, "Un message ouvert discuté")
    with transaction():
        moderation.check_report(lead, "post", hidden.id, "abusive", "Ton déplacé")
        moderation.check_report(lead, "comment", remark.id, "abusive", "")
        moderation.check_report(lead, "post", shown.id, "spam", "")

    page = moderation.report_queue(moderator)
    assert [(i.report.target_type, i.report.target_id) for i in page.items] == [
        ("post", shown.id)]
    assert moderation.open_report_count(moderator) == 1
    assert moderation.open_items_count(moderator) == 1
    log = moderation.log_page(moderator, moderation.LogFilters())
    assert ("post", hidden.id) not in log.targets


def test_turning_private_moves_outsiders_sockets_out_of_the_rooms(app, lead, teammate,
                                                                  outsider, open_project):
    sockets = {}
    for name, user in (("outsider", outsider), ("teammate", teammate)):
        socket = socket_for(app, user)
        assert ack(socket, "project:join", {"project_id": open_project.id})["ok"]
        assert ack(socket, "wall:join", {"wall_id": open_project.wall_id})["ok"]
        socket.get_received()
        sockets[name] = socket

    with transaction():
        services.check_update_project(lead, access(lead, open_project), services.ProjectData(
            title=open_project.title, visibility="private"))
    for socket in sockets.values():
        socket.get_received()
    post_on(lead, open_project, "Réservé à l'équipe")
    with transaction():
        services.check_create_action(lead, access(lead, open_project), title="Budget")

    heard = {name: {r["name"] for r in socket.get_received()}
             for name, socket in sockets.items()}
    assert {"wall:post", "project:action"} <= heard["teammate"]
    assert "wall:post" not in heard["outsider"]
    assert "project:action" not in heard["outsider"]


def test_renaming_a_project_renames_its_wall_and_channel(app, lead, open_project):
    with transaction():
        services.check_update_project(lead, access(lead, open_project), services.ProjectData(
            title="Tiers-lieu du Val sans retour", visibility="open"))
    assert db.session.get(Wall, open_project.wall_id).name == "Tiers-lieu du Val sans retour"
    assert db.session.get(Channel, open_project.channel_id).name == \
        "Tiers-lieu du Val sans retour"


def test_renaming_keeps_the_wall_name_within_its_limit(app, lead):
    project = make_project(lead, title="Court")
    with transaction():
        services.check_update_project(lead, access(lead, project), services.ProjectData(
            title="É" * services.TITLE_MAX, visibility="open"))
    assert db.session.get(Wall, project.wall_id).name == "É" * walls.WALL_NAME_MAX
    assert db.session.get(Channel, project.channel_id).name == "É" * chat.NAME_MAX
