"""A curator clears the moderation queue in Chromium with the keyboard: exclude, undo, keep,
move, zoom; every page checked by axe-core at desktop and phone sizes, under the site's CSP."""

import re

import pytest
from django.db import connections

from actors.models import ActorImage
from moderation.models import AuditEntry, Flag
from moderation.services import image_flag

from .browser import DESKTOP, PHONE, check_page, log_in

QUEUE = "/admin/moderation/flag/"


@pytest.fixture
def open_flags(small_catalogue):
    """Four open flags, most reported first as the queue shows them; one with a long note."""
    images = [
        ActorImage.objects.filter(actor__name=name).order_by("pk")[index]
        for name, index in [("Matt Damon", 0), ("Katy Perry", 0), ("Barack Obama", 0)]
        + [("Matt Damon", 1)]
    ]
    for reports, image in zip([4, 3, 2, 1], images, strict=True):
        for _ in range(reports):
            image_flag(image, source=Flag.Source.VISITOR, note="not him")
    Flag.objects.filter(image=images[1]).update(
        notes="That is her sister, I know her from school. " * 5
    )
    return list(Flag.objects.filter(status="open").select_related("image__actor"))


@pytest.fixture
def page_closes_connections():
    yield
    # Playwright's greenlet had database connections of its own; close them so the test
    # database can be dropped.
    connections.close_all()


def check_form_page(context, url: str, name: str) -> None:
    """check_page on a page the CSP watch does not hear. On the admin's change forms axe-core
    itself breaks the policy: to read forms.css's @import it writes the imported sheet into a
    <style> element. The page as the curator sees it is watched in the test itself."""
    page = context.new_page()
    page.goto(url)
    check_page(page, name)
    page.close()


def flag_status(flag) -> str:
    return Flag.objects.get(pk=flag.pk).status


def current_flag(page) -> int:
    return int(page.locator("tr.current [data-flag]").get_attribute("data-flag"))


def test_a_curator_clears_the_queue_by_keyboard(
    browser, live_server, curator, open_flags, csp, page_closes_connections
):
    from playwright.sync_api import expect

    first, second, third, fourth = open_flags
    context = browser.new_context(**DESKTOP)
    log_in(context, live_server, curator)
    page = csp(context.new_page())
    page.goto(live_server.url + QUEUE)
    expect(page.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()
    # At 1280 px every column is on screen: status, source and date, and the buttons.
    results = page.locator("#changelist .results")
    assert results.evaluate("r => r.scrollWidth <= r.clientWidth")
    right = results.bounding_box()["x"] + results.bounding_box()["width"]
    for column in ("reports_and_score", "state", "decide"):
        box = page.locator(f"th.column-{column}").bounding_box()
        assert box["x"] + box["width"] <= min(right, 1280), column
    expect(page.locator("td.field-state").first).to_contain_text("Visitor")
    check_page(page, "queue-desktop")
    assert current_flag(page) == first.pk

    page.locator(".flag-notes summary").first.click()  # the long note opens in place
    expect(page.locator(".flag-notes[open] p")).to_contain_text("I know her from school")
    assert current_flag(page) == second.pk  # a click on a row makes it current
    page.keyboard.press("k")
    assert current_flag(page) == first.pk

    page.keyboard.press("z")
    dialog = page.locator("dialog[data-zoom-dialog]")
    expect(dialog).to_be_visible()
    assert dialog.locator("image").get_attribute("href") == first.image.file.url
    assert int(dialog.locator("rect").get_attribute("width")) > 0
    check_page(page, "queue-zoom-desktop")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # C excludes the current photo; the row says so and the next flag is current.
    page.keyboard.press("c")
    status = page.locator("[data-queue-status]")
    expect(status).to_contain_text(f"Excluded photo {first.image_id}")
    assert flag_status(first) == "confirmed"
    assert ActorImage.objects.get(pk=first.image_id).status == "excluded"
    expect(page.locator("tr.current [data-flag]")).to_have_attribute("data-flag", str(second.pk))
    assert page.evaluate("document.activeElement.classList.contains('current')")

    # U undoes it: the flag is open again and the photo back in the catalogue.
    page.keyboard.press("u")
    expect(status).to_contain_text("Undone")
    assert flag_status(first) == "open"
    assert ActorImage.objects.get(pk=first.image_id).status == "active"
    row = page.locator(f"tr:has([data-flag='{first.pk}'])")
    expect(row.locator("[data-status]")).to_have_text("Open")
    expect(row.locator("button[data-decision=confirm]")).to_be_enabled()

    # Typing in the search field never decides anything.
    page.locator("#searchbar").fill("cd")
    page.locator("#searchbar").press("d")
    assert flag_status(first) == "open"
    page.locator("#searchbar").fill("")
    page.keyboard.press("Escape")  # back to the flags

    assert current_flag(page) == first.pk
    page.keyboard.press("j")
    page.keyboard.press("d")
    expect(status).to_contain_text(f"Kept photo {second.image_id}")
    assert flag_status(second) == "dismissed"
    assert current_flag(page) == third.pk

    page.keyboard.press("?")
    expect(page.locator("dialog[data-keys-dialog]")).to_be_visible()
    page.keyboard.press("Escape")

    # M opens the move page for the current flag; pick the actor; back to the queue.
    target = "Katy Perry" if third.image.actor.name != "Katy Perry" else "Matt Damon"
    with page.expect_navigation():
        page.keyboard.press("m")
    expect(page.get_by_role("heading", name="Move the photo to another actor")).to_be_visible()
    expect(page.locator(".move-photo svg image")).to_have_count(1)
    check_page(page, "move-desktop")
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill(target.split()[0])
    page.locator(".select2-results__option", has_text=target).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Move").click()
    assert page.url.startswith(live_server.url + QUEUE)
    expect(page.locator(".messagelist")).to_contain_text(f"to {target}")
    moved = Flag.objects.select_related("image__actor").get(pk=third.pk)
    assert moved.status == "confirmed" and moved.image.actor.name == target
    check_page(page, "queue-after-move-desktop")

    # The flag's own page: the buttons, the whole photo, zoom.
    flag_page = f"{live_server.url}{QUEUE}{fourth.pk}/change/"
    page.goto(flag_page)
    expect(page.get_by_role("button", name="Exclude: not this actor")).to_be_visible()
    check_form_page(context, flag_page, "flag-desktop")
    page.locator("a[data-zoom]").first.click()
    expect(page.locator("dialog[data-zoom-dialog]")).to_be_visible()
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.get_by_role("button", name="Exclude: not this actor").click()
    assert flag_status(fourth) == "confirmed"
    with page.expect_navigation():
        page.locator(".messagelist").get_by_role("button", name="Undo").click()
    assert flag_status(fourth) == "open"

    page.goto(live_server.url + "/admin/moderation/auditentry/")
    expect(page.locator("td.field-change").first).to_contain_text("flag: confirmed → open")
    check_page(page, "audit-desktop")
    assert AuditEntry.objects.filter(action="move", flag=third).exists()

    # The photo whose exclusion was undone reads as active on its own page.
    page.goto(f"{live_server.url}/admin/actors/actorimage/{first.image_id}/change/")
    expect(page.locator(".field-status .readonly")).to_have_text("Active")
    context.close()
    assert csp.violations == []


def test_the_queue_pages_on_a_phone(
    browser, live_server, curator, open_flags, csp, page_closes_connections
):
    from playwright.sync_api import expect

    first = open_flags[0]
    context = browser.new_context(**PHONE)
    log_in(context, live_server, curator)
    page = csp(context.new_page())
    page.goto(live_server.url + QUEUE)
    expect(page.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()
    check_page(page, "queue-phone")
    page.locator("a[data-zoom]").first.tap()
    expect(page.locator("dialog[data-zoom-dialog]")).to_be_visible()
    check_page(page, "queue-zoom-phone")
    page.keyboard.press("Escape")
    page.locator(f"tr:has([data-flag='{first.pk}']) button[data-decision=confirm]").tap()
    expect(page.locator("[data-queue-status]")).to_contain_text("Excluded photo")
    assert flag_status(first) == "confirmed"
    page.goto(f"{live_server.url}{QUEUE}{first.pk}/change/")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    check_form_page(context, page.url, "flag-phone")
    page.goto(f"{live_server.url}{QUEUE}{open_flags[1].pk}/move/")
    check_page(page, "move-phone")
    page.goto(live_server.url + "/admin/moderation/auditentry/")
    check_page(page, "audit-phone")
    page.goto(live_server.url + QUEUE + "?status=dismissed")
    expect(page.get_by_text("No flags here.")).to_be_visible()
    Flag.objects.filter(status="open").update(status="dismissed")
    page.goto(live_server.url + QUEUE)
    expect(page.get_by_text("Nothing to review: no open flags.")).to_be_visible()
    check_page(page, "queue-empty-phone")
    context.close()
    assert csp.violations == []


def test_keys_are_listed_where_a_curator_looks(browser, live_server, curator, open_flags, csp):
    """The hint line names the keys; the full list opens from it."""
    context = browser.new_context(**DESKTOP)
    log_in(context, live_server, curator)
    page = csp(context.new_page())
    page.goto(live_server.url + QUEUE)
    assert re.search(r"C.*exclude", page.locator(".queue-keys").inner_text())
    page.get_by_role("button", name="all keys").click()
    assert page.locator("dialog[data-keys-dialog]").is_visible()
    context.close()
    connections.close_all()
    assert csp.violations == []
