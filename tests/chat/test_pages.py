"""The channel page builder decides and does not write: what is unread, whether opening the
page reads it, what the badge shows then. Its view does the reading (test_views)."""

from __future__ import annotations

from app.chat import services
from app.db import transaction
from tests.chat.conftest import create_channel, join, send
from tests.helpers import capture_events, count_queries


def test_channel_page_decides_without_writing(app, member, other, public):
    send(member, public, "Déjà lu")
    with transaction():
        services.check_read(other, public.id, 2**31 - 1)
    first = send(member, public, "Nouveau 1")
    last = send(member, public, "Nouveau 2")
    elsewhere = create_channel(member, "Tiers-lieux")
    join(other, elsewhere)
    send(member, elsewhere, "Ailleurs")
    with capture_events(0), count_queries() as counter:
        page = services.channel_page(other, public.id)
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                   for s in counter.statements)
    assert services.unread_counts(other).channels == {public.id: 2, elsewhere.id: 1}
    assert page.first_unread == first.id
    assert page.marks_read and page.read_up_to == last.id
    assert page.badge == 1  # what remains once this page is read: the other channel
    assert [m.id for m in page.messages][-1] == last.id and not page.has_older


def test_a_refused_send_or_an_older_page_reads_nothing(app, member, other, public):
    ids = [send(member, public, f"Message {n}").id for n in range(3)]
    page = services.channel_page(other, public.id, reading=False)
    assert not page.marks_read and page.read_up_to == 0 and page.badge == 3
    page = services.channel_page(other, public.id, ids[-1])
    assert not page.marks_read and page.first_unread is None
    assert [m.id for m in page.messages] == ids[:-1]


def test_who_may_do_what_on_the_page(app, member, other, third, public):
    as_admin = services.channel_page(member, public.id)
    assert as_admin.can_post and as_admin.can_manage and as_admin.invite_choices is not None
    assert other.id not in [uid for uid, _name in as_admin.invite_choices]
    as_reader = services.channel_page(third, public.id)  # public: readable before joining
    assert not as_reader.can_post and not as_reader.marks_read
    assert as_reader.invite_choices is None
