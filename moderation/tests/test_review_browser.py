"""A curator reviews new photos with the keyboard in Chromium, under a Content-Security-Policy
that forbids inline scripts (the shortcuts live in a static file)."""

import os

import pytest
from django.db import connections

from accounts.models import User
from actors.models import ActorImage
from moderation.models import AuditEntry
from moderation.roles import curators_group_sync
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, shot

REVIEW = "/admin/actors/actorimage/review/"
CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'"


@pytest.fixture
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # as in tests/test_browser.py
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()
        # Queries made while Playwright ran used a connection of their own (Playwright's
        # greenlet has its own context); close it, or the test database cannot be dropped.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def with_csp(route):
    response = route.fetch(max_redirects=0)  # the browser follows redirects itself
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})


def status_of(image: ActorImage) -> str:
    return ActorImage.objects.get(pk=image.pk).status


def test_a_curator_approves_rejects_and_skips_with_the_keyboard(
    chromium, live_server, pending_photos
):
    from playwright.sync_api import expect

    curator = User.objects.create_user("cora", password="a long password", is_staff=True)
    curator.groups.add(curators_group_sync())
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.route(f"{live_server.url}/**", with_csp)
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/admin/login/?next={REVIEW}")
    page.get_by_label("Username").fill("cora")
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}{REVIEW}")

    # Groups in order: Elton John (two photos), Katy Perry (two), Matt Damon (the intruder).
    elton_1, elton_2 = pending_photos["elton"]
    katy_5, katy_6 = pending_photos["katy"]
    intruder = pending_photos["intruder"]

    def card(image):
        return page.locator(f"#photo-{image.pk}")

    current = page.locator("[data-review-card][aria-current=true]")
    expect(current).to_have_attribute("data-image", str(elton_1.pk))
    shot(page, "review-1-opened")

    page.keyboard.press("a")  # approve the first photo
    expect(card(elton_1).locator("[data-outcome]")).to_have_text("Approved")
    expect(current).to_have_attribute("data-image", str(elton_2.pk))  # on to the next one
    page.keyboard.press("n")  # skip Elton John's second photo
    expect(current).to_have_attribute("data-image", str(katy_5.pk))
    page.keyboard.press("n")
    page.keyboard.press("n")
    expect(current).to_have_attribute("data-image", str(intruder.pk))
    page.keyboard.press("r")  # the photo filed under Matt Damon is Madonna's
    expect(card(intruder).locator("[data-outcome]")).to_have_text("Rejected")
    # Nothing waits after it: back to the nearest photo still waiting.
    expect(current).to_have_attribute("data-image", str(katy_6.pk))
    page.keyboard.press("p")
    expect(current).to_have_attribute("data-image", str(katy_5.pk))
    page.keyboard.press("x")  # tick both of Katy Perry's, then approve the ticked ones
    page.keyboard.press("n")
    page.keyboard.press("x")
    expect(card(katy_6).locator("input[type=checkbox]")).to_be_checked()
    page.get_by_role("button", name="Approve ticked").click()
    expect(card(katy_6).locator("[data-outcome]")).to_have_text("Approved")
    expect(card(katy_5).locator("[data-outcome]")).to_have_text("Approved")
    expect(page.locator("[data-review-status]")).to_have_text("Approved 2 photos.")
    expect(page.locator("[data-pending-count]")).to_have_text("1")
    shot(page, "review-2-decided")

    assert [status_of(i) for i in (elton_1, elton_2, katy_5, katy_6, intruder)] == [
        "active",
        "pending",
        "active",
        "active",
        "rejected",
    ]
    entries = AuditEntry.objects.order_by("id").values_list("action", "image_id", "username")
    assert list(entries) == [
        ("approve", elton_1.pk, "cora"),
        ("reject", intruder.pk, "cora"),
        ("approve", katy_5.pk, "cora"),
        ("approve", katy_6.pk, "cora"),
    ]

    page.reload()  # what is left: Elton John's second photo alone
    expect(page.locator("[data-review-card]")).to_have_count(1)
    expect(current).to_have_attribute("data-image", str(elton_2.pk))
    assert blocked == [], blocked
    context.close()
