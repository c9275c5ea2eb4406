"""Sharing a group photo's result in Chromium: a share and a story picture for each face, a
download, and what someone the link is shared with sees of the visitor's face."""

import io
import re

from PIL import Image

from matching.models import Match
from matching.services import index_build

from .browser import DESKTOP, PHONE, check_page

GROUP = "extras/group_two_people.jpg"
FACE_CROP = re.compile(r"/faces/\d+\.jpg$")


def uploaded(page, live_server, faces_dir, *, show_face: bool) -> str:
    """Upload the group photo from the home page; the result's address once it is shown."""
    page.goto(live_server.url)
    page.set_input_files("input[type=file]", str(faces_dir / GROUP))
    if show_face:
        page.check("input[name=share_face]")
    page.get_by_role("button", name="Find my lookalike").click()
    page.wait_for_url(re.compile(r"/r/[\w-]{32}/$"))
    page.locator(".match-row").first.wait_for(timeout=90_000)
    return page.url


def face_crops_on(page) -> list[str]:
    sources = page.locator("img").evaluate_all("images => images.map(i => i.src)")
    return [src for src in sources if FACE_CROP.search(src)]


def jpeg(answer) -> Image.Image:
    assert answer.ok and answer.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(answer.body()))
    assert image.format == "JPEG"
    return image


def test_a_group_photos_faces_are_shared_each_with_its_own_pictures(
    browser, live_server, celery_worker_process, small_catalogue, faces_dir, csp
):
    index_build()
    visitor = browser.new_context(**DESKTOP)
    page = csp(visitor.new_page())
    result = uploaded(page, live_server, faces_dir, show_face=False)
    assert Match.objects.get().faces.count() == 2
    # The visitor sees their own face, and the photo with its faces numbered.
    assert len(face_crops_on(page)) >= 1
    assert page.locator("img[src$='/photo.jpg']").evaluate("i => i.naturalWidth") > 0
    check_page(page, "share-1-group-result-desktop")

    # Face 2's pictures: a 1200x630 card, a 1080x1920 story card, each to download.
    share = jpeg(page.request.get(f"{result}faces/1/share.jpg"))
    story = jpeg(page.request.get(f"{result}faces/1/story.jpg"))
    assert share.size == (1200, 630) and story.size == (1080, 1920)
    download = page.request.get(f"{result}faces/1/story.jpg?download=1")
    assert re.fullmatch(
        r'attachment; filename="lookalike-[a-z0-9-]+-story\.jpg"',
        download.headers["content-disposition"],
    )
    # Face 2's page shares face 2: its link, its card.
    page.goto(f"{result}?face=1")
    og_image = page.locator("meta[property='og:image']").get_attribute("content")
    assert og_image == f"{result}faces/1/share.jpg"
    assert page.locator("meta[property='og:url']").get_attribute("content") == f"{result}?face=1"

    # Someone the link is shared with, on a phone: the actors, not the visitor's face.
    friend = browser.new_context(**PHONE)
    shared = csp(friend.new_page())
    shared.goto(f"{result}?face=1")
    shared.locator(".match-row").first.wait_for()
    assert face_crops_on(shared) == []
    for address in (f"{result}faces/0.jpg", f"{result}faces/1.jpg", f"{result}photo.jpg"):
        assert shared.request.get(address).status == 404, address
    assert jpeg(shared.request.get(og_image)).size == (1200, 630)
    check_page(shared, "share-2-group-shared-phone")

    # A visitor who chose to show their face: the friend sees it too.
    shown = uploaded(page, live_server, faces_dir, show_face=True)
    shared.goto(shown)
    shared.locator(".match-row").first.wait_for()
    crops = face_crops_on(shared)
    assert crops and all(shared.request.get(src).ok for src in crops)
    assert shared.locator("img[src$='/faces/0.jpg']").first.evaluate("i => i.naturalWidth") > 0
    assert shared.request.get(f"{shown}photo.jpg").ok  # a group photo is kept, and shown
    check_page(shared, "share-3-face-shown-phone")
    friend.close()
    visitor.close()
    assert csp.violations == []


def test_the_privacy_page_reads_well_on_a_phone_and_a_desktop(browser, live_server, db, csp):
    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(**size)
        page = csp(context.new_page())
        page.goto(f"{live_server.url}/privacy/")
        assert page.get_by_role("heading", name="What we keep, for how long, and who sees it")
        assert page.locator("[data-item]").count() == 9
        check_page(page, f"share-privacy-{name}")
        context.close()
    assert csp.violations == []
