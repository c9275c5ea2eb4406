"""A visitor in Chromium: try an example, watch the page fill in, share the link."""

import re

from matching.models import Match
from matching.services import index_build

from .browser import log_in, shot


def test_try_an_example_and_share_it(
    browser, live_server, celery_worker_process, small_catalogue, csp
):
    index_build()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = csp(context.new_page())
    page.goto(live_server.url)
    assert page.get_by_role("heading", name="Which film actor do you look like?").is_visible()
    shot(page, "1-home")

    page.get_by_role("button", name="Try Barack Obama").click()
    page.wait_for_url(re.compile(r"/r/[\w-]{32}/$"))
    shot(page, "2-waiting")
    # The page follows the worker by itself and shows the result without a manual reload.
    page.locator(".match-row").first.wait_for(timeout=90_000)
    rows = page.locator(".match-row")
    assert rows.count() == 3
    percentages = [int(t.rstrip("%")) for t in page.locator("[data-similarity]").all_inner_texts()]
    assert percentages == sorted(percentages, reverse=True)
    # An example is labelled with its name, never "You".
    face = page.locator("img.subject-face")
    assert face.get_attribute("alt") == "Example: Barack Obama"
    assert face.evaluate("i => i.naturalWidth") > 0
    shot(page, "3-result")

    share_url = page.locator("[data-share-url]").input_value()
    assert share_url == page.url
    page.get_by_role("button", name="Copy link").click()
    # The clipboard is written asynchronously; "Copied!" shows once it is done.
    page.locator("[data-copied]").wait_for(state="visible", timeout=5000)
    assert page.locator("[data-copied]").is_visible()

    stranger = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    shared = csp(stranger.new_page())
    shared.goto(share_url)
    assert shared.locator(".match-row").count() == 3
    og_image = shared.locator("meta[property='og:image']").get_attribute("content")
    assert og_image == f"{share_url}share.jpg"
    assert shared.locator("meta[name='twitter:card']").get_attribute("content") == (
        "summary_large_image"
    )
    title = shared.locator("meta[property='og:title']").get_attribute("content")
    assert re.fullmatch(r"Looks \d+% like .+|No strong lookalike — closest: .+, \d+%", title)
    assert "noindex" in shared.locator("meta[name='robots']").get_attribute("content")
    card = shared.request.get(og_image)
    assert card.ok and card.headers["content-type"] == "image/jpeg"
    shot(shared, "4-shared-on-a-phone")
    stranger.close()
    context.close()
    assert csp.violations == []


def test_a_photo_without_a_face_offers_another_try(
    browser, live_server, celery_worker_process, small_catalogue, faces_dir, csp
):
    index_build()
    page = csp(browser.new_page())
    page.goto(live_server.url)
    page.set_input_files("#id_photo", str(faces_dir / "extras" / "no_face_dogs.jpg"))
    # The chosen photo is previewed from a blob: address, which the policy allows.
    page.locator("[data-preview]").wait_for(state="visible")
    assert page.locator("[data-preview]").evaluate("i => i.src").startswith("blob:")
    page.get_by_role("button", name="Find my lookalike").click()
    page.get_by_role("heading", name="We couldn't find a face").wait_for(timeout=90_000)
    shot(page, "5-no-face")
    page.get_by_role("link", name="Try another photo").click()
    page.wait_for_url(live_server.url + "/")
    assert csp.violations == []


def test_a_file_that_is_not_an_image_is_refused_on_the_form(
    browser, live_server, tmp_path, db, csp
):
    notes = tmp_path / "notes.jpg"
    notes.write_text("not a photo")
    page = csp(browser.new_page())
    page.goto(live_server.url)
    page.set_input_files("#id_photo", str(notes))
    page.get_by_role("button", name="Find my lookalike").click()
    page.locator("[data-error]").wait_for(state="visible")
    assert "not an image we can read" in page.locator("[data-error]").inner_text()
    shot(page, "6-not-an-image")
    assert csp.violations == []


def test_deleting_a_result_asks_first(browser, live_server, django_user_model, csp):
    user = django_user_model.objects.create_user("ada", password="a long passphrase 42")
    match = Match.objects.create(
        owner=user, visibility="private", status="failed", error_code="no_face"
    )
    context = browser.new_context()
    log_in(context, live_server, user)
    page = csp(context.new_page())
    page.goto(f"{live_server.url}/accounts/matches/")
    answers = iter(["dismiss", "accept"])
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        getattr(dialog, next(answers))()

    page.on("dialog", answer)
    page.get_by_role("button", name="Delete").click()
    assert Match.objects.filter(pk=match.pk).exists()  # the visitor said no
    with page.expect_navigation():
        page.get_by_role("button", name="Delete").click()
    assert questions == ["Delete this result, its photo and faces?"] * 2
    assert not Match.objects.filter(pk=match.pk).exists()
    context.close()
    assert csp.violations == []


def test_admin_pages_keep_to_the_content_security_policy(
    browser, live_server, django_user_model, small_catalogue, csp
):
    from actors.models import ActorImage

    admin = django_user_model.objects.create_superuser("root", password="a long passphrase 42")
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    log_in(context, live_server, admin)
    page = csp(context.new_page())
    image = ActorImage.objects.first()
    for path in [
        "/admin/",
        "/admin/matching/indexversion/",
        "/admin/moderation/flag/",
        f"/admin/actors/actorimage/{image.pk}/change/",
    ]:
        page.goto(live_server.url + path)
        assert page.locator("#content").is_visible(), path
    thumbnail = page.locator("img.face-thumb")
    assert thumbnail.evaluate("i => getComputedStyle(i).borderRadius") == "6px"
    page.goto(live_server.url + "/admin/matching/indexversion/")
    shot(page, "7-admin-index-versions")
    context.close()
    assert csp.violations == []
