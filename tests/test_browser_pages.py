"""The site's frame and its plain pages in Chromium, on a phone and a desktop: axe-core finds
nothing, the menu, the skip link and the focus ring work from the keyboard, and error pages keep
the layout."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from matching.models import Match
from testkit.factories import (
    ActorFactory,
    MatchFaceFactory,
    MatchFactory,
    ResemblanceFactory,
)

from .browser import DESKTOP, PHONE, SIZES, check_page, log_in

PASSWORD = "a long passphrase 42"


def small_targets(page) -> list[str]:
    """The header's and footer's visible links and buttons less than 24 px high or wide."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                ".site-header a, .site-header button, .site-footer a")]
            .filter(e => e.getClientRects().length)
            .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.height < 24 || r.width < 24)
            .map(([text, r]) => `${text}: ${r.width}x${r.height}`)"""
    )


def face_crop(faces_dir, photo: str) -> ContentFile:
    """A square crop of a real photo, as the worker stores a visitor's face."""
    image = Image.open(faces_dir / photo).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((320, 320))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return ContentFile(out.getvalue(), name="face.jpg")


def results_of(user, faces_dir) -> list[Match]:
    """A few results as an account holds them: matched, private or shared, and one failed."""
    made = []
    for photo, actor, distance, visibility in [
        ("gallery/Matt_Damon/2.jpg", "Matt Damon", 0.32, "private"),
        ("gallery/Angelina_Jolie/1.jpg", "Angelina Jolie", 0.41, "unlisted"),
        ("gallery/Barack_Obama/1.jpg", "Barack Obama", 0.55, "private"),
    ]:
        match = MatchFactory(owner=user, visibility=visibility)
        face = MatchFaceFactory(match=match, crop=face_crop(faces_dir, photo))
        ResemblanceFactory(face=face, actor=ActorFactory(name=actor), distance=distance)
        made.append(match)
    made.append(
        MatchFactory(owner=user, visibility="private", status="failed", error_code="no_face")
    )
    return made


@pytest.mark.parametrize("size", SIZES)
def test_the_visitors_pages_pass_axe_and_keep_the_layout(browser, live_server, csp, settings, size):
    context = browser.new_context(**SIZES[size])
    page = csp(context.new_page())
    for name, path in [
        ("home", "/"),
        ("privacy", "/privacy/"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
        ("password-reset", "/accounts/password/reset/"),
        ("password-reset-sent", "/accounts/password/reset/sent/"),
    ]:
        page.goto(live_server.url + path)
        assert page.locator("main").count() == 1 and page.locator("h1").count() == 1, path
        assert small_targets(page) == [], path
        check_page(page, f"pages-{name}-{size}")

    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.locator("#id_password1").fill("password")
    page.locator("#id_password2").fill("password")
    page.get_by_role("button", name="Sign up").click()
    page.locator("[data-form-errors]").wait_for()
    password = page.locator("#id_password1")
    assert password.get_attribute("aria-invalid") == "true"
    assert password.evaluate("e => e === document.activeElement"), "focus goes to the problem"
    assert "too common" in page.locator("#id_password1_error").inner_text()
    assert "id_password1_error" in password.get_attribute("aria-describedby")
    check_page(page, f"pages-signup-errors-{size}")

    response = page.goto(live_server.url + "/r/no-such-token/")
    assert response.status == 404
    assert page.get_by_role("heading", name="This result isn't available").is_visible()
    page.get_by_role("link", name="Find your own lookalike").wait_for()
    check_page(page, f"pages-404-result-{size}")

    response = page.goto(live_server.url + "/no/such/page/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    check_page(page, f"pages-404-{size}")

    # A form left open while its session lapsed: the CSRF cookie is gone when it is sent.
    page.goto(live_server.url + "/accounts/login/")
    context.clear_cookies()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Log in").click()
    assert sent.value.status == 403
    assert page.get_by_role("heading", name="Please try that again").is_visible()
    check_page(page, f"pages-csrf-{size}")

    settings.ROOT_URLCONF = "common.tests.urls_failing"  # the site's addresses and one that fails
    response = page.goto(live_server.url + "/failing/")
    assert response.status == 500
    assert page.get_by_role("heading", name="Something went wrong on our side").is_visible()
    check_page(page, f"pages-500-{size}")
    context.close()
    assert csp.violations == []


@pytest.mark.parametrize("size", SIZES)
def test_the_account_pages_pass_axe(browser, live_server, csp, django_user_model, faces_dir, size):
    user = django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)
    results_of(user, faces_dir)
    context = browser.new_context(**SIZES[size])
    log_in(context, live_server, user)
    page = csp(context.new_page())
    for name, path in [
        ("account", "/accounts/"),
        ("my-matches", "/accounts/matches/"),
        ("account-delete", "/accounts/delete/"),
        ("password-change", "/accounts/password/change/"),
    ]:
        page.goto(live_server.url + path)
        assert page.locator("main").count() == 1 and page.locator("h1").count() == 1, path
        assert small_targets(page) == [], path
        check_page(page, f"pages-{name}-{size}")

    page.goto(live_server.url + "/accounts/matches/")
    assert page.locator("[data-result-count]").inner_text().startswith("4 results")
    row = page.locator(".my-list > li").first
    text_box = row.locator(".row-text").bounding_box()
    controls = row.locator(".controls").bounding_box()
    when = row.locator(".when").bounding_box()
    assert when["height"] < 30, "the date stays on one line"
    if size == "phone":  # controls under the text, the text given the row's width
        assert controls["y"] >= text_box["y"] + text_box["height"] - 1
        assert text_box["width"] > 200
    else:  # controls beside the text
        assert controls["x"] >= text_box["x"] + text_box["width"] - 1

    page.get_by_role("button", name="Make private").first.click()
    page.get_by_role("status").wait_for()
    assert "only you can see it" in page.get_by_role("status").inner_text()
    check_page(page, f"pages-my-matches-message-{size}")

    page.goto(live_server.url + "/accounts/delete/")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Delete everything").click()
    page.locator("[data-form-errors]").wait_for()
    check_page(page, f"pages-account-delete-error-{size}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Delete everything").click()
    page.locator("[data-deleted]").wait_for()
    assert "4 results and 3 face crops" in page.locator("[data-deleted]").inner_text()
    check_page(page, f"pages-account-deleted-{size}")
    context.close()
    assert csp.violations == []


def test_the_phone_menu_skip_link_and_focus_ring_work_by_keyboard(
    browser, live_server, csp, django_user_model
):
    user = django_user_model.objects.create_user("ada", "ada@example.org", PASSWORD)
    context = browser.new_context(**PHONE)
    log_in(context, live_server, user)
    page = csp(context.new_page())
    page.goto(live_server.url + "/accounts/")

    # The skip link is the first Tab stop, shows itself, and takes focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    # On the phone the links are behind "Menu"; the brand stays in view.
    menu = page.get_by_role("button", name="Menu")
    my_matches = page.get_by_role("navigation", name="Main").get_by_role("link", name="My matches")
    assert page.get_by_role("link", name="Lookalike", exact=True).is_visible()
    assert menu.is_visible() and not my_matches.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true" and my_matches.is_visible()
    assert my_matches.bounding_box()["height"] >= 24
    check_page(page, "pages-menu-open-phone")
    page.keyboard.press("Tab")
    assert my_matches.evaluate("e => e === document.activeElement")
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and not my_matches.is_visible()
    assert menu.evaluate("e => e === document.activeElement")
    page.keyboard.press("Space")
    assert my_matches.is_visible()
    page.keyboard.press("Space")
    assert not my_matches.is_visible()

    # On a desktop the same links are inline and there is no Menu button.
    page.set_viewport_size(DESKTOP["viewport"])
    assert my_matches.is_visible() and not menu.is_visible()

    # Our own focus ring: at least 2 px, on the amber button too.
    page.goto(live_server.url + "/accounts/password/change/")
    submit = page.get_by_role("button", name="Change password")
    page.get_by_label("New password confirmation").focus()
    page.keyboard.press("Tab")
    assert submit.evaluate("e => e === document.activeElement")
    ring = submit.evaluate(
        "e => { const s = getComputedStyle(e);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), parseFloat(s.outlineOffset)]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 2 and ring[2] >= 2
    context.close()
    assert csp.violations == []
