"""The results page in Chromium, on a phone and on a desktop: a group photo's faces, reporting
and rating in place, sharing, and what someone given the link sees."""

import re

import pytest

from matching.models import Match
from matching.services import index_build
from moderation.models import Flag, MatchRating

from .browser import SIZES, check_page, log_in
from .conftest import wait_for

FAKE_SHARE = """
  navigator.share = (data) => { window.sharedWith = data; return Promise.resolve(); };
"""
NO_SHARE = "delete Navigator.prototype.share; delete navigator.share;"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_group_result_for_its_owner_and_for_a_friend(
    browser, live_server, celery_worker_process, small_catalogue, faces_dir, csp, size
):
    index_build()
    context = browser.new_context(**SIZES[size])
    # Phones have a share sheet; this desktop has none.
    context.add_init_script(FAKE_SHARE if size == "phone" else NO_SHARE)
    page = csp(context.new_page())
    page.goto(live_server.url)
    page.set_input_files(
        "input[type=file]", str(faces_dir / "extras" / "group_obama_and_biden.jpg")
    )
    page.get_by_role("button", name="Find my lookalike").click()
    page.locator(".match-row").first.wait_for(timeout=90_000)
    match = Match.objects.get()
    assert page.get_by_text("3 faces found.").is_visible()
    assert page.locator(".match-row").count() == 3  # the catalogue has three actors
    check_page(page, f"results-group-{size}")

    # Face 2: the page follows, and says which face it shows.
    page.get_by_role("link", name="Face 2 of 3").click()
    page.wait_for_url(re.compile(r"\?face=1$"))
    # Face 2 is Joe Biden, who is not in the catalogue: a weak resemblance, said as such.
    assert re.match(
        r"Face 2 looks like|No strong lookalike for face 2", page.locator("h1").inner_text()
    )
    assert page.get_by_role("link", name="Face 2 of 3").get_attribute("aria-current") == "true"
    share_url = page.locator("[data-share-url]").input_value()
    assert share_url == f"{live_server.url}/r/{match.token}/?face=1"

    # Report the first row's photo: confirmed in the row, once, without leaving the page.
    first = page.locator(".match-row").first
    first.get_by_text("Wrong person in this photo?").click()
    first.get_by_role("button", name="Report this photo").click()
    confirmation = first.locator("[data-reported]")
    confirmation.wait_for()
    assert confirmation.inner_text() == "Reported, thanks — a curator will check it."
    assert confirmation.evaluate("e => document.activeElement === e")
    assert page.url.endswith("?face=1") and Flag.objects.get().reports == 1

    # Rate it: the choice shows at once and can be changed.
    first.get_by_role("button", name="Good match").click()
    first.get_by_text("Thanks: marked as a good match.").wait_for()
    first.get_by_role("button", name="Bad match").click()
    first.get_by_text("Thanks: marked as a bad match.").wait_for()
    assert first.get_by_role("button", name="Bad match").get_attribute("aria-pressed") == "true"
    assert first.get_by_role("button", name="Good match").get_attribute("aria-pressed") == "false"
    rating = wait_for(lambda: MatchRating.objects.filter(good=False).first(), timeout=10)
    assert MatchRating.objects.count() == 1 and rating.face_position == 1
    check_page(page, f"results-reported-and-rated-{size}")

    # Copy the link: "Copied!" is announced, then goes.
    page.get_by_role("button", name="Copy link").click()
    copied = page.locator("[data-copied]")
    copied.wait_for(state="visible", timeout=5000)
    assert page.locator("[role=status]:has([data-copied])").count() == 1
    check_page(page, f"results-copied-{size}")
    copied.wait_for(state="hidden", timeout=10_000)

    native = page.locator("[data-native-share]")
    if size == "phone":
        native.click()
        assert page.evaluate("window.sharedWith.url") == share_url
    else:
        assert native.is_hidden()

    # A friend opens the link: third person, an invitation to try, no owner's notices.
    friend_context = browser.new_context(**SIZES[size])
    friend = csp(friend_context.new_page())
    friend.goto(share_url)
    heading = friend.locator("h1").inner_text()
    assert re.match(r"Face 2 looks like|No strong lookalike for face 2", heading)
    assert "You look like" not in friend.content()
    cta = friend.get_by_role("link", name="Find your own lookalike").first
    assert cta.is_visible() and cta.bounding_box()["y"] < friend.locator("h1").bounding_box()["y"]
    for owners_only in ("It will be deleted on", "Delete this result now", "Copy link"):
        assert friend.get_by_text(owners_only).count() == 0
    check_page(friend, f"results-shared-{size}")
    friend_context.close()

    # The owner deletes the result at once, after saying yes.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete this result now").click()
    page.get_by_role("heading", name="Your result is deleted").wait_for()
    assert not Match.objects.filter(pk=match.pk).exists()
    check_page(page, f"results-deleted-{size}")
    context.close()
    assert csp.violations == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_account_shares_a_private_result_in_one_click(
    browser, live_server, celery_worker_process, small_catalogue, django_user_model, csp, size
):
    index_build()
    user = django_user_model.objects.create_user("ada", password="a long passphrase 42")
    context = browser.new_context(**SIZES[size])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(context, live_server, user)
    page = csp(context.new_page())
    page.goto(live_server.url)
    page.get_by_role("button", name="Try Madonna").click()
    page.locator(".match-row").first.wait_for(timeout=90_000)
    match = Match.objects.get()
    assert match.visibility == "private"
    assert page.get_by_role("button", name="Copy link", exact=True).count() == 0
    check_page(page, f"results-private-{size}")

    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    page.get_by_role("button", name="Make shareable and copy link").click()
    page.locator("[data-copied]").wait_for(state="visible", timeout=5000)
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    assert wait_for(lambda: Match.objects.get().visibility == "unlisted", timeout=10)
    assert page.get_by_text("Anyone with the link can see it.").is_visible()
    check_page(page, f"results-made-shareable-{size}")

    page.get_by_role("button", name="Make private").click()
    page.get_by_role("button", name="Make shareable and copy link").wait_for()
    assert page.get_by_text("Private: only you can see it.").is_visible()
    assert page.evaluate("window.sameDocument") is True
    assert Match.objects.get().visibility == "private"
    context.close()
    assert csp.violations == []
