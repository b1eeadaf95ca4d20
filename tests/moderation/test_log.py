"""The append-only moderation log: browsing, filters, keyset pages, and the guard."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from app.db import transaction
from app.extensions import db
from app.moderation import services
from app.moderation.log import AppendOnlyViolation, do_log
from app.moderation.models import ModerationAction
from tests.library.support import publish as publish_document
from tests.library.support import submit
from tests.moderation.conftest import act, as_user, comment_on, count, publish, report

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def _write(actor, action, target_type, target_id, when, target_user=None, reason=""):
    with transaction():
        entry = do_log(actor, action, target_type, target_id, reason=reason,
                       target_user_id=target_user.id if target_user else None)
        entry.created_at = when  # set before the INSERT: not an update


def test_log_is_for_moderators(net, client):
    response = client.get("/moderation/journal")
    assert response.status_code == 302 and "/connexion" in response.location
    as_user(client, net.reporter)
    assert client.get("/moderation/journal").status_code == 403


def test_each_row_says_when_who_what_target_and_why(net, client):
    post = publish(net.author, net.wall, title="Réunion de Montpellier")
    comment = comment_on(net.other, post, "Un commentaire déplacé")
    act(net.moderator, "post", post.id, "pin")
    act(net.moderator, "comment", comment.id, "hide", reason="Attaque personnelle")
    with transaction():
        services.check_warn(net.moderator, db.session.get(type(net.other), net.other.id),
                            "Premier rappel")
    as_user(client, net.moderator)
    page = client.get("/moderation/journal").get_data(as_text=True)
    rows = _rows(page)
    assert len(rows) == 5  # two walls created, pin, hide, warn
    warn, hide, pin = rows[0], rows[1], rows[2]
    assert "Avertissement" in warn and "Premier rappel" in warn and "Léa Fontaine" in warn
    assert "Commentaire masqué" in hide and "Attaque personnelle" in hide
    assert f'href="/murs/messages/{post.id}#commentaire-{comment.id}"' in hide
    assert "Message épinglé" in pin and f'href="/murs/messages/{post.id}"' in pin
    assert "Réunion de Montpellier" in pin and "Mehdi Benali" in pin
    assert f'href="/moderation/membres/{net.author.id}"' in pin


def test_times_are_shown_in_paris_time(net, client):
    _write(net.moderator, "member.warn", "user", net.author.id,
           datetime(2030, 7, 14, 22, 30, tzinfo=UTC), net.author, "Nuit d'été")
    as_user(client, net.moderator)
    [row] = _rows(client.get("/moderation/journal?action=member.warn").get_data(as_text=True))
    assert "15/07/2030 00:30" in row


def test_filters_combine(net, client):
    second = _moderator2()
    when = datetime(2030, 3, 10, 12, 0, tzinfo=UTC)
    _write(net.moderator, "member.warn", "user", net.author.id, when, net.author, "A")
    _write(second, "member.warn", "user", net.other.id, when, net.other, "B")
    _write(net.moderator, "member.suspend", "user", net.other.id, when, net.other, "C")
    # 23:30 UTC on the 9th is 00:30 on the 10th in Paris.
    _write(second, "report.dismiss", "post", 1, datetime(2030, 3, 9, 23, 30, tzinfo=UTC),
           net.author, "D")
    _write(second, "report.dismiss", "post", 2, datetime(2030, 3, 11, 23, 30, tzinfo=UTC),
           net.author, "E")
    as_user(client, net.moderator)

    def reasons(query: str) -> list[str]:
        page = client.get(f"/moderation/journal?{query}").get_data(as_text=True)
        return [re.search(r'class="mod-reason">(.*?)<', row).group(1) for row in _rows(page)
                if 'class="mod-reason"' in row]

    assert reasons("action=member.warn") == ["B", "A"]
    assert reasons(f"moderateur={second.id}") == ["E", "D", "B"]
    assert reasons(f"membre={net.other.id}") == ["C", "B"]
    assert reasons(f"membre={net.other.id}&moderateur={net.moderator.id}") == ["C"]
    assert reasons("du=2030-03-10&au=2030-03-10") == ["D", "C", "B", "A"]
    assert reasons("du=2030-03-11") == ["E"]
    assert reasons("au=2030-03-09") == []
    assert reasons("action=report.dismiss&au=2030-03-10") == ["D"]
    # Nonsense filters are ignored rather than refused.
    assert client.get("/moderation/journal?action=drop&du=hier&moderateur=x").status_code == 200
    page = client.get(f"/moderation/journal?membre={net.other.id}").get_data(as_text=True)
    assert "Membre concerné : Léa Fontaine" in page


def _moderator2():
    from tests.factories import make_user

    return make_user(name="Nadia Roux", role="moderator")


def test_log_pages_by_keyset_and_keeps_filters(net, client):
    when = datetime(2030, 1, 1, tzinfo=UTC)
    for i in range(services.LOG_PAGE + 5):
        _write(net.moderator, "member.warn", "user", net.author.id, when, net.author, f"n{i}")
    as_user(client, net.moderator)
    page = client.get("/moderation/journal?action=member.warn").get_data(as_text=True)
    assert len(_rows(page)) == services.LOG_PAGE
    link = re.search(r'<a class="button" rel="next" href="([^"]+)"', page).group(1)
    assert "action=member.warn" in link
    rest = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert len(_rows(rest)) == 5 and 'rel="next"' not in rest
    assert "n0<" in rest and "n54<" in page


def test_xss_in_reasons_is_inert_in_the_log(net, client):
    post = publish(net.author, net.wall, title=XSS)
    report(net.reporter, post, "other", XSS)
    act(net.moderator, "post", post.id, "hide", reason=XSS)
    as_user(client, net.moderator)
    page = client.get("/moderation/journal").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


# Append-only ---------------------------------------------------------------------------------

@pytest.fixture
def entry(net):
    with transaction():
        row = do_log(net.moderator, "member.warn", "user", net.author.id,
                     target_user_id=net.author.id, reason="Original")
    return row


def test_rows_cannot_be_updated(entry):
    entry.reason = "Réécrit"
    with pytest.raises(AppendOnlyViolation), transaction():
        db.session.flush()
    db.session.expire_all()
    assert db.session.get(ModerationAction, entry.id).reason == "Original"


def test_rows_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyViolation), transaction():
        db.session.delete(db.session.get(ModerationAction, entry.id))
    assert count(ModerationAction) == 3


@pytest.mark.parametrize("statement", [
    lambda: update(ModerationAction).values(reason="x"),
    lambda: delete(ModerationAction),
    lambda: ModerationAction.__table__.update().values(reason="x"),
    lambda: ModerationAction.__table__.delete(),
])
def test_bulk_statements_are_refused(entry, statement):
    with pytest.raises(AppendOnlyViolation), transaction():
        db.session.execute(statement())
    assert db.session.scalar(select(ModerationAction.reason).where(
        ModerationAction.id == entry.id)) == "Original"


def test_every_moderation_flow_only_appends(net, client):
    """Run each action the app offers; the guard would raise on any update or delete."""
    post = publish(net.author, net.wall)
    comment = comment_on(net.other, post)
    report(net.reporter, post)
    report(net.reporter, comment)
    for target_type, target_id, action, reason in (
            ("post", post.id, "hide", "a"), ("post", post.id, "unhide", ""),
            ("post", post.id, "pin", ""), ("post", post.id, "lock", ""),
            ("post", post.id, "move", "b"), ("comment", comment.id, "delete", "c"),
            ("comment", comment.id, "restore", ""), ("comment", comment.id, "hide", "d")):
        act(net.moderator, target_type, target_id, action, reason=reason,
            wall_id=net.wall2.id)
    as_user(client, net.moderator)
    client.post(f"/moderation/membres/{net.author.id}/avertir", data={"reason": "e"})
    client.post(f"/moderation/membres/{net.author.id}/suspendre", data={"reason": "f"})
    client.post(f"/moderation/membres/{net.author.id}/retablir", data={})
    assert count(ModerationAction) == 2 + 8 + 3


def test_library_decisions_read_in_french_with_a_link_and_filter(net, client):
    document = publish_document(net.moderator, submit(net.author, title="Guide du bénévolat"))
    as_user(client, net.moderator)
    page = client.get("/moderation/journal").get_data(as_text=True)
    [row] = [r for r in _rows(page) if "Document publié" in r]
    assert f'href="/bibliotheque/documents/{document.id}"' in row
    assert "document.approve" not in row
    assert '<option value="document.approve">Document publié</option>' in page
    assert '<option value="document.version_reject">' in page
    filtered = _rows(client.get("/moderation/journal?action=document.approve")
                     .get_data(as_text=True))
    assert len(filtered) == 1 and "Document publié" in filtered[0]


def test_every_action_the_library_logs_has_a_label():
    package = Path(__file__).parents[2] / "app" / "library" / "services"
    source = "\n".join(path.read_text() for path in sorted(package.glob("*.py")))
    logged = set(re.findall(r'(?:do_log\(actor, |_decided\(actor, document, )"([a-z_.]+)"',
                            source))
    assert logged and logged <= set(services.ACTION_LABELS)
