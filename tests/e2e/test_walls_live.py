"""Two members on the general wall in two browsers: a post and a comment appear live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.db import transaction
from app.walls import services as walls
from tests.e2e.test_onboarding import expect_live, log_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def test_post_and_comment_appear_live_for_another_member(live_server, new_context):
    with live_server.app.app_context():
        with transaction():
            walls.do_ensure_general_wall()
        make_user(name="Sophie Martin", email="sophie@exemple.fr")
        make_user(name="Mehdi Benali", email="mehdi@exemple.fr")

    author = new_context().new_page()
    reader = new_context().new_page()
    for page, email in ((author, "sophie@exemple.fr"), (reader, "mehdi@exemple.fr")):
        log_in(page, email, PASSWORD)
        page.goto("/murs/general")
        expect_live(page)

    author.locator(".composer-summary").click()
    author.get_by_label("Titre").fill("Tiers-lieux et mobilité")
    author.get_by_label("Message", exact=True).fill(
        "Qui a monté un **transport solidaire** en zone rurale ?")
    author.locator(".composer-actions").get_by_role("button", name="Publier").click()
    expect(author.get_by_role("heading", name="Tiers-lieux et mobilité")).to_be_visible()

    # No reload on the reader's side: the post arrives through Socket.IO.
    post = reader.locator("article", has=reader.get_by_role(
        "heading", name="Tiers-lieux et mobilité"))
    expect(post).to_be_visible(timeout=5_000)
    expect(post.locator("strong", has_text="transport solidaire")).to_be_visible()

    comment_box = post.get_by_label("Votre commentaire")
    comment_box.fill("Nous, à Roubaix : je vous raconte.")
    comment_box.locator("xpath=ancestor::form").get_by_role("button", name="Publier").click()
    expect(author.get_by_text("Nous, à Roubaix : je vous raconte.")).to_be_visible(
        timeout=5_000)
