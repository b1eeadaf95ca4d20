"""Co-development services: scheduling, phase rules, the server-driven timer, the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.agenda.models import AgendaEvent, AgendaRsvp
from app.codev import services
from app.codev.models import CodevRecord
from app.db import transaction
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.notifications.models import Notification
from tests.codev.conftest import START, drive, post, schedule, to_phase
from tests.factories import make_user

# Scheduling ----------------------------------------------------------------------------------


def test_schedule_invites_everyone_and_fills_their_agenda(session, people):
    assert session.status == "scheduled"
    assert session.durations == {"expose": 10, "clarification": 15, "contrat": 5,
                                 "consultation": 25, "plan-action": 15, "bilan": 10}
    invited = {n.user_id for n in db.session.scalars(select(Notification))}
    assert invited == {people["client"].id, *(c.id for c in people["consultants"])}
    event = db.session.scalar(select(AgendaEvent).where(AgendaEvent.source_type == "codev"))
    assert event.visibility == "invited" and event.starts_at == session.scheduled_at
    attendees = set(db.session.scalars(select(AgendaRsvp.user_id)))
    assert attendees == {people["facilitator"].id, people["client"].id,
                         *(c.id for c in people["consultants"])}


@pytest.mark.parametrize("changes, field", [
    ({"subject": "   "}, "subject"),
    ({"visio_url": "javascript:alert(1)"}, "visio_url"),
    ({"visio_url": ""}, "visio_url"),
    ({"scheduled_at": START - timedelta(hours=1)}, "scheduled_at"),
    ({"confidentiality": "public"}, "confidentiality"),
    ({"durations": {"expose": 0}}, "duration_expose"),
    ({"durations": {"bilan": 500}}, "duration_bilan"),
])
def test_schedule_refuses_bad_input_with_a_field(app, people, frozen, changes, field):
    with pytest.raises(Invalid) as error:
        schedule(people, **changes)
    assert error.value.field == field and error.value.message


def test_schedule_needs_three_to_seven_other_consultants(app, people, frozen):
    two = [c.id for c in people["consultants"][:2]]
    with pytest.raises(Invalid, match="3 à 7"):
        schedule(people, consultant_ids=two)
    eight = [make_user().id for _ in range(8)]
    with pytest.raises(Invalid, match="3 à 7"):
        schedule(people, consultant_ids=eight)
    with pytest.raises(Invalid) as error:
        schedule(people, consultant_ids=[people["client"].id, *two])
    assert error.value.field == "consultant_ids"
    with pytest.raises(Invalid) as error:
        schedule(people, client_id=people["facilitator"].id)
    assert error.value.field == "client_id"


def test_durations_are_editable_before_the_start_only(session, people):
    with transaction():
        services.check_set_durations(people["facilitator"], session.id, {"expose": 3})
    assert session.durations["expose"] == 3 and session.durations["bilan"] == 10
    with pytest.raises(PermissionDenied), transaction():
        services.check_set_durations(people["client"], session.id, {"expose": 4})
    drive(people, session, "start")
    with pytest.raises(Invalid), transaction():
        services.check_set_durations(people["facilitator"], session.id, {"expose": 4})


# Joining -----------------------------------------------------------------------------------------

def test_members_ask_to_join_and_the_facilitator_answers(session, people):
    newcomer = make_user(name="Lucas Bernard")
    with transaction():
        services.check_request_join(newcomer, session.id)
    with pytest.raises(NotFound):
        services.access_session(newcomer, session.id)
    assert [u.id for u in services.pending_requests(session)] == [newcomer.id]
    with transaction():
        services.check_answer_request(people["facilitator"], session.id, newcomer.id, True)
    assert services.access_session(newcomer, session.id).role == "consultant"


def test_a_closed_session_is_invisible_to_outsiders(app, people, frozen):
    closed = schedule(people, open_to_requests=False)
    with pytest.raises(NotFound):
        services.access_card(people["outsider"], closed.id)
    with pytest.raises(NotFound), transaction():
        services.check_request_join(people["outsider"], closed.id)


def test_no_more_than_seven_consultants(session, people):
    extra = [make_user() for _ in range(5)]
    for user in extra:
        with transaction():
            services.check_request_join(user, session.id)
    for user in extra[:4]:
        with transaction():
            services.check_answer_request(people["facilitator"], session.id, user.id, True)
    with pytest.raises(Invalid, match="7"), transaction():
        services.check_answer_request(people["facilitator"], session.id, extra[4].id, True)


# Phase rules --------------------------------------------------------------------------------------

WHO_MAY_POST = {
    # phase index: (kind, roles allowed)
    2: ("question", {"consultant"}),
    3: ("request", {"client"}),
    4: ("suggestion", {"consultant"}),
    5: ("action", {"client"}),
    6: ("lesson", {"facilitator", "client", "consultant"}),
}


def _by_role(people):
    return {"facilitator": people["facilitator"], "client": people["client"],
            "consultant": people["consultants"][0]}


@pytest.mark.parametrize("index", [1, 2, 3, 4, 5, 6])
def test_who_may_post_what_in_each_phase(session, people, index):
    to_phase(people, session, index)
    for kind in ("question", "request", "suggestion", "action", "lesson"):
        for role, user in _by_role(people).items():
            rule_kind, roles = WHO_MAY_POST.get(index, (None, set()))
            allowed = kind == rule_kind and role in roles
            if allowed:
                assert post(user, session, kind).kind == kind
            else:
                with pytest.raises(PermissionDenied), transaction():
                    services.check_post(user, session.id, kind, "Hors phase")


def test_nobody_posts_before_the_start_or_after_the_end(session, people):
    with pytest.raises(PermissionDenied), transaction():
        services.check_post(people["consultants"][0], session.id, "question", "Trop tôt")
    to_phase(people, session, 6)
    drive(people, session, "next")
    assert session.status == "ended"
    with pytest.raises(PermissionDenied), transaction():
        services.check_post(people["client"], session.id, "lesson", "Trop tard")


def test_outsiders_get_not_found_for_everything(session, people):
    outsider = people["outsider"]
    to_phase(people, session, 2)
    question = post(people["consultants"][0], session, "question")
    for call in (lambda: services.access_session(outsider, session.id),
                 lambda: services.check_post(outsider, session.id, "question", "Coucou"),
                 lambda: services.check_edit(outsider, question.id, "Piraté"),
                 lambda: services.check_delete(outsider, question.id),
                 lambda: services.check_hand(outsider, session.id, True),
                 lambda: services.check_next(outsider, session.id),
                 lambda: services.access_record(outsider, session.id)):
        with pytest.raises(NotFound), transaction():
            call()


def test_only_the_facilitator_drives(session, people):
    for user in (people["client"], people["consultants"][0]):
        with pytest.raises(PermissionDenied), transaction():
            services.check_start(user, session.id)
    drive(people, session, "start")
    with pytest.raises(PermissionDenied), transaction():
        services.check_next(people["client"], session.id)
    with pytest.raises(Invalid), transaction():
        services.check_start(people["facilitator"], session.id)


def test_a_double_click_does_not_skip_a_phase(session, people):
    drive(people, session, "start")
    with transaction():
        services.check_next(people["facilitator"], session.id, expected_index=1)
    with pytest.raises(Invalid), transaction():
        services.check_next(people["facilitator"], session.id, expected_index=1)
    assert session.phase_code == "clarification"


def test_the_request_is_one_text_and_cards_are_retained_once(session, people):
    client, consultant = people["client"], people["consultants"][0]
    to_phase(people, session, 3)
    first = post(client, session, "request", "Comment convaincre les entreprises ?")
    again = post(client, session, "request", "Comment **associer** les entreprises locales ?")
    assert again.id == first.id and again.edited_at is not None
    drive(people, session, "next")
    card = post(consultant, session, "suggestion", "Un petit-déjeuner des dirigeants")
    drive(people, session, "next")
    item = post(client, session, "action", source_id=card.id)
    assert (item.kind, item.body, item.source_id) == ("action", card.body, card.id)
    assert post(client, session, "action", source_id=card.id).id == item.id
    with pytest.raises(NotFound), transaction():
        services.check_post(client, session.id, "action", None, source_id=item.id)


def test_authors_withdraw_their_own_contribution_during_its_phase(session, people):
    consultant, other = people["consultants"][0], people["consultants"][1]
    to_phase(people, session, 2)
    question = post(consultant, session, "question", "Qui finance le lieu ?")
    with pytest.raises(NotFound), transaction():
        services.check_delete(other, question.id)
    with transaction():
        services.check_edit(consultant, question.id, "Qui finance le lieu aujourd'hui ?")
    drive(people, session, "next")
    with pytest.raises(PermissionDenied), transaction():
        services.check_delete(consultant, question.id)


def test_text_limits(session, people):
    to_phase(people, session, 2)
    with pytest.raises(services.TooLong), transaction():
        services.check_post(people["consultants"][0], session.id, "question", "x" * 2001)
    with pytest.raises(Invalid), transaction():
        services.check_post(people["consultants"][0], session.id, "question", "   ")


# The timer ---------------------------------------------------------------------------------------

def test_the_timer_is_derived_from_the_database_and_the_server_clock(session, people, frozen):
    drive(people, session, "start")
    assert services.remaining_seconds(session) == 600
    frozen.advance(minutes=4, seconds=30)
    assert services.remaining_seconds(session) == 330
    drive(people, session, "extend", minutes=5)
    assert services.remaining_seconds(session) == 630
    frozen.advance(minutes=11)
    assert services.remaining_seconds(session) == -30  # overtime: the facilitator decides
    drive(people, session, "next")
    assert session.phase_code == "clarification"
    assert services.remaining_seconds(session) == 15 * 60


def test_a_reload_computes_the_same_remaining_time(session, people, frozen):
    drive(people, session, "start")
    frozen.advance(minutes=3)
    db.session.expire_all()
    access = services.access_session(people["consultants"][2], session.id)
    state = services.state_dict(people["consultants"][2], access)
    assert state["server_now"] == frozen().isoformat()
    assert state["phase"]["ends_at"] == (frozen.moment + timedelta(minutes=7)).isoformat()
    assert state["phase"]["started_at"] == (frozen.moment - timedelta(minutes=3)).isoformat()


def test_extensions_are_bounded(session, people):
    drive(people, session, "start")
    for minutes in (0, 31, "5", True):
        with pytest.raises(Invalid), transaction():
            services.check_extend(people["facilitator"], session.id, minutes)


# Hands --------------------------------------------------------------------------------------------

def test_hands_are_raised_in_order_and_lowered_at_the_next_phase(session, people, frozen):
    consultant, client = people["consultants"][0], people["client"]
    with pytest.raises(PermissionDenied), transaction():
        services.check_hand(consultant, session.id, True)
    drive(people, session, "start")
    with transaction():
        services.check_hand(client, session.id, True)
    frozen.advance(seconds=5)
    with transaction():
        hands = services.check_hand(consultant, session.id, True)
    assert hands == [client.id, consultant.id]
    with pytest.raises(PermissionDenied), transaction():
        services.check_hand(consultant, session.id, False, client.id)
    with transaction():
        assert services.check_hand(people["facilitator"], session.id, False,
                                   client.id) == [consultant.id]
    drive(people, session, "next")
    assert services.raised_hands(session.id) == []


# The record ---------------------------------------------------------------------------------------

def _full_session(people, session):
    client, (karim, helene, thomas) = people["client"], people["consultants"]
    to_phase(people, session, 2)
    post(karim, session, "question", "Combien d'entreprises sont déjà venues ?")
    drive(people, session, "next")
    post(client, session, "request",
         "Comment faire venir les entreprises au tiers-lieu, avec Karim Haddad ?")
    drive(people, session, "next")
    breakfast = post(helene, session, "suggestion", "Organiser un petit-déjeuner mensuel")
    post(thomas, session, "suggestion", "Proposer un atelier FabLab aux apprentis")
    drive(people, session, "next")
    post(client, session, "action", source_id=breakfast.id)
    post(client, session, "action", "Appeler la CCI avant la fin du mois")
    drive(people, session, "next")
    post(karim, session, "lesson", "Écouter avant de proposer")
    post(client, session, "lesson", "Je n'étais pas seule avec ce problème")
    drive(people, session, "next")


def test_the_record_is_generated_at_the_end(session, people):
    _full_session(people, session)
    assert session.status == "ended"
    _access, row = services.access_record(people["consultants"][1], session.id)
    body = row.body
    assert "Mobiliser les entreprises dans un tiers-lieu rural" in body
    assert "Comment faire venir les entreprises au tiers-lieu" in body
    assert "Organiser un petit-déjeuner mensuel" in body.split("## Suggestions retenues")[1]
    assert "atelier FabLab" not in body.split("## Suggestions retenues")[1].split("##")[0]
    assert "1. Organiser un petit-déjeuner mensuel" in body
    assert "2. Appeler la CCI avant la fin du mois" in body
    assert "**Karim Haddad** : Écouter avant de proposer" in body
    assert "Aïcha Diallo" in body


def test_the_anonymised_record_names_nobody(session, people):
    _full_session(people, session)
    row = db.session.get(CodevRecord, session.id)
    for name in ("Aïcha Diallo", "Émilie Faure", "Karim Haddad", "Hélène Garnier",
                 "Thomas Lefèvre"):
        assert name not in row.anonymised_body
    assert "avec consultant·e 2 ?" in row.anonymised_body
    assert "Écouter avant de proposer" in row.anonymised_body


def test_the_record_is_private_and_exists_only_after_the_end(session, people):
    with pytest.raises(NotFound):
        services.access_record(people["client"], session.id)
    _full_session(people, session)
    with pytest.raises(NotFound):
        services.access_record(people["outsider"], session.id)
    services.access_record(people["client"], session.id)


def test_cancelling_tells_the_participants_and_the_agenda(session, people):
    with transaction():
        services.check_cancel(people["facilitator"], session.id)
    event = db.session.scalar(select(AgendaEvent).where(AgendaEvent.source_id == session.id))
    assert event.is_cancelled and event.sequence == 1
    with pytest.raises(NotFound):
        services.access_session(people["client"], session.id)
