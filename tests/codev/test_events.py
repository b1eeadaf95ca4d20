"""The session room over Socket.IO: join acks the full state, events reach the room,
outsiders get not_found and nothing else, a reconnecting socket recovers everything."""

from __future__ import annotations

from datetime import timedelta

from app.codev import services
from tests.codev.conftest import ack, drive, post, socket_for, to_phase
from tests.helpers import capture_events


def received(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def joined(app, user, session):
    socket = socket_for(app, user)
    answer = ack(socket, "codev:join", {"session_id": session.id})
    assert answer["ok"], answer
    socket.get_received()
    return socket, answer["state"]


def test_join_acks_the_full_state(app, session, people, frozen):
    to_phase(people, session, 2)
    post(people["consultants"][0], session, "question", "Depuis quand ?")
    frozen.advance(minutes=5)
    _socket, state = joined(app, people["client"], session)
    assert state["status"] == "live"
    assert state["phase"]["code"] == "clarification"
    assert state["server_now"] == frozen().isoformat()
    assert state["phase"]["ends_at"] == (frozen.moment + timedelta(minutes=10)).isoformat()
    assert [c["body"] for c in state["contributions"]] == ["Depuis quand ?"]
    assert state["me"] == {"id": people["client"].id, "role": "client"}
    assert [p["role"] for p in state["participants"]] == [
        "facilitator", "client", "consultant", "consultant", "consultant"]
    assert state["present"] == [people["client"].id]
    assert state["rules"]["suggestion"] == {"phase": "consultation", "roles": ["consultant"]}


def test_outsiders_get_not_found_and_nothing_else(app, session, people):
    socket = socket_for(app, people["outsider"])
    for event, payload in (
            ("codev:join", {"session_id": session.id}),
            ("codev:sync", {"session_id": session.id}),
            ("codev:post", {"session_id": session.id, "kind": "question", "body": "?"}),
            ("codev:hand", {"session_id": session.id, "raised": True}),
            ("codev:phase", {"session_id": session.id, "op": "start"})):
        answer = ack(socket, event, payload)
        assert answer["ok"] is False and answer["error"] == "not_found", (event, answer)
    watcher, _state = joined(app, people["client"], session)
    drive(people, session, "start")
    assert received(socket, "codev:phase") == []
    assert received(watcher, "codev:phase")


def test_malformed_payloads_are_invalid(app, session, people):
    socket = socket_for(app, people["facilitator"])
    for event, payload in (("codev:join", None), ("codev:join", {"session_id": "1"}),
                           ("codev:post", {"session_id": session.id, "kind": "question"}),
                           ("codev:phase", {"session_id": session.id, "op": "jump"}),
                           ("codev:phase", {"session_id": session.id, "op": "next",
                                            "expected_index": "2"})):
        assert ack(socket, event, payload)["error"] == "invalid"


def test_phase_rules_over_the_socket(app, session, people):
    to_phase(people, session, 4)
    client = socket_for(app, people["client"])
    consultant = socket_for(app, people["consultants"][0])
    answer = ack(client, "codev:post", {"session_id": session.id, "kind": "suggestion",
                                        "body": "Le client ne propose pas"})
    assert answer["error"] == "forbidden" and answer["message"]
    answer = ack(consultant, "codev:post", {"session_id": session.id, "kind": "suggestion",
                                            "body": "x" * 2001})
    assert answer["error"] == "too_long"
    answer = ack(consultant, "codev:post", {"session_id": session.id, "kind": "suggestion",
                                            "body": "Un *atelier* commun"})
    assert answer["ok"]
    assert answer["contribution"]["body_html"] == "<p>Un <em>atelier</em> commun</p>"


def test_each_action_emits_one_event_of_a_known_shape(app, session, people):
    with capture_events(1) as events:
        drive(people, session, "start")
    [event] = events
    assert event["event"] == "codev:phase" and event["room"] == f"codev:{session.id}"
    assert event["payload"]["op"] == "phase" and event["payload"]["phase"]["index"] == 1
    drive(people, session, "next")
    with capture_events(1) as events:
        post(people["consultants"][0], session, "question", "Pourquoi ?")
    assert events[0]["event"] == "codev:contribution"
    assert events[0]["payload"]["op"] == "add"
    with capture_events(1) as events:
        drive(people, session, "extend", minutes=2)
    assert events[0]["payload"]["phase"]["extra_seconds"] == 120
    with capture_events(2) as events:  # the phase, and the hands lowered
        drive(people, session, "next")
    assert {e["event"] for e in events} == {"codev:phase", "codev:hands"}


def test_a_reconnecting_client_recovers_what_it_missed(app, session, people, frozen):
    drive(people, session, "start")
    socket, _state = joined(app, people["consultants"][1], session)
    socket.disconnect()
    drive(people, session, "next")
    post(people["consultants"][0], session, "question", "Pendant la coupure")
    frozen.advance(minutes=2)
    socket.connect()
    answer = ack(socket, "codev:join", {"session_id": session.id})
    state = answer["state"]
    assert state["phase"]["code"] == "clarification"
    assert [c["body"] for c in state["contributions"]] == ["Pendant la coupure"]
    assert services.remaining_seconds(session) == 13 * 60


def test_presence_and_hands_reach_the_room(app, session, people):
    drive(people, session, "start")
    facilitator, _ = joined(app, people["facilitator"], session)
    client, _ = joined(app, people["client"], session)
    [presence] = received(facilitator, "codev:presence")[-1:]
    assert presence["present"] == sorted([people["facilitator"].id, people["client"].id])
    answer = ack(client, "codev:hand", {"session_id": session.id, "raised": True})
    assert answer == {"ok": True, "hands": [people["client"].id]}
    [hands] = received(facilitator, "codev:hands")
    assert hands["hands"] == [people["client"].id]
    client.disconnect()
    [presence] = received(facilitator, "codev:presence")[-1:]
    assert presence["present"] == [people["facilitator"].id]


def test_the_facilitator_drives_over_the_socket(app, session, people):
    socket = socket_for(app, people["facilitator"])
    answer = ack(socket, "codev:phase", {"session_id": session.id, "op": "start"})
    assert answer["ok"] and answer["phase"]["code"] == "expose"
    answer = ack(socket, "codev:phase", {"session_id": session.id, "op": "next",
                                         "expected_index": 1})
    assert answer["phase"]["code"] == "clarification"
    answer = ack(socket, "codev:phase", {"session_id": session.id, "op": "next",
                                         "expected_index": 1})
    assert answer["error"] == "invalid"
    consultant = socket_for(app, people["consultants"][0])
    answer = ack(consultant, "codev:phase", {"session_id": session.id, "op": "next"})
    assert answer["error"] == "forbidden"
