"""The demo chat (`flask seed demo`): channels, conversations, messages, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.chat.models import Channel, ChannelMember, Message
from app.extensions import db
from tests.conftest import login


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_chat(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    # The chat's own channels (project spaces' demo adds channels they own).
    kinds = dict(db.session.execute(select(Channel.name, Channel.kind).where(
        Channel.kind != "direct", Channel.owner_type.is_(None))).all())
    assert kinds == {"Accueil": "public", "Tiers-lieux": "public", "Mobilités": "public",
                     "Comité d'animation": "private"}
    assert _count(Channel, Channel.kind == "direct") == 2
    messages = _count(Message)
    own = _count(Message, Message.channel_id.in_(
        select(Channel.id).where(Channel.owner_type.is_(None))))
    assert 35 <= own <= 45
    memberships = _count(ChannelMember)
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert (_count(Message), _count(ChannelMember),
            _count(Channel, Channel.owner_type.is_(None))) == (messages, memberships, 6)
    login(client, "sophie.martin@demo.catalyseurs.fr", "catalyseur-demo")
    page = client.get("/chat").text
    assert "Mobilités" in page and "Chloé Nguyen" in page and "Comité d&#39;animation" not in page
    mobility = db.session.scalar(select(Channel).where(Channel.name == "Mobilités"))
    page = client.get(f"/chat/{mobility.id}").text
    assert "transport à la demande" in page
    assert ">@Camille Fontaine</a>" in page
