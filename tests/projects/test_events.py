"""project:join / project:leave: acks for every payload shape, and the events that reach a
joined socket."""

from __future__ import annotations

import pytest

from app.db import transaction
from app.projects import services
from tests.chat.conftest import ack, socket_for


@pytest.mark.parametrize("payload", [None, "1", {}, {"project_id": "1"},
                                     {"project_id": True}, {"project_id": 2**31},
                                     {"project_id": -1}])
def test_malformed_payloads_are_invalid(app, teammate, open_project, payload):
    socket = socket_for(app, teammate)
    assert ack(socket, "project:join", payload) == {"ok": False, "error": "invalid",
        "message": "La demande n'est pas valide."}
    assert ack(socket, "project:leave", payload) == {"ok": False, "error": "invalid",
        "message": "La demande n'est pas valide."}


def test_join_then_hear_actions_and_meetings(app, lead, teammate, open_project):
    socket = socket_for(app, teammate)
    assert ack(socket, "project:join", {"project_id": open_project.id}) == {
        "ok": True, "member": True}
    socket.get_received()
    with transaction():
        access = services.access_project(lead, open_project.id)
        action = services.check_create_action(lead, access, title="Préparer le budget")
    received = [(r["name"], r["args"][0]) for r in socket.get_received()]
    assert ("project:action", {"type": "action", "op": "add", "project_id": open_project.id,
                               "action_id": action.id}) in received
    assert ack(socket, "project:leave", {"project_id": open_project.id}) == {"ok": True}
    with transaction():
        services.check_delete_action(lead, services.access_project(lead, open_project.id),
                                     action.id)
    assert [r for r in socket.get_received() if r["name"] == "project:action"] == []


def test_outsider_joins_open_but_not_private(app, outsider, open_project, private_project):
    socket = socket_for(app, outsider)
    assert ack(socket, "project:join", {"project_id": open_project.id}) == {
        "ok": True, "member": False}
    assert ack(socket, "project:join", {"project_id": private_project.id}) == {
        "ok": False, "error": "not_found",
        "message": "Ce projet n'existe pas ou ne vous est pas accessible."}
