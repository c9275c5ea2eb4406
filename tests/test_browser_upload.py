"""A visitor sends a photo from a phone or a computer: two ways in, checks and a shrunk copy
before sending, a real progress bar, the progress page, and examples that make one result."""

import io
import os
import re
import uuid

import numpy as np
import pytest
from PIL import Image

from matching.models import Match
from testkit.photos import heic, phone_photo

from .browser import DESKTOP, PHONE, check_page

FORMATS = "JPEG, PNG, WebP or HEIC"
SIZES = {"phone": PHONE, "desktop": DESKTOP}


def camera_photo(jpeg: bytes) -> bytes:
    """A 12 MP photo as a phone camera writes it: sensor noise and all, several megabytes."""
    picture = Image.open(io.BytesIO(phone_photo(jpeg, size=(4000, 3000))))
    noise = np.random.default_rng(7).normal(0, 6, (3000, 4000, 3))
    pixels = np.clip(np.asarray(picture, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


@pytest.fixture
def held_worker():
    """Tasks go to a Redis queue that no worker reads: matches stay queued, as when the
    matching service is down."""
    from lookalike_site.celery import app

    from .conftest import _forget_connections

    broker = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    queue = f"test-held-{uuid.uuid4().hex[:10]}"
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    _forget_connections(app)
    yield
    app.conf.update(previous)
    _forget_connections(app)
    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


def posts_to_home(page, live_server) -> list:
    """The upload posts this page makes, as Playwright requests."""
    posts = []

    def heard(request):
        if request.method == "POST" and request.url == live_server.url + "/":
            posts.append(request)

    page.on("request", heard)
    return posts


def record_progress(page) -> None:
    """Keep the highest value the progress bar reaches, across the navigation that follows."""
    page.evaluate(
        """() => {
        const bar = document.querySelector('[data-progress-bar]');
        sessionStorage.setItem('progress', '0');
        new MutationObserver(() => sessionStorage.setItem('progress',
            String(Math.max(Number(sessionStorage.getItem('progress')), bar.value)))
        ).observe(bar, {attributes: true});
    }"""
    )


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_photo_is_checked_shrunk_and_sent_with_progress(
    browser, live_server, small_catalogue, faces_dir, tmp_path, settings, held_worker, csp, size
):
    settings.LOOKALIKE_PROGRESS_SLOW_SECONDS = 3
    context = browser.new_context(**SIZES[size])
    page = csp(context.new_page())
    posts = posts_to_home(page, live_server)
    page.goto(live_server.url)

    # Two ways in: the camera, and the library (no capture), both taking the four formats.
    selfie = page.locator("#id_selfie")
    library = page.locator("#id_photo")
    assert selfie.get_attribute("capture") == "user"
    assert library.get_attribute("capture") is None
    for picker in (selfie, library):
        assert {"image/jpeg", "image/png", "image/webp", "image/heic"} <= set(
            picker.get_attribute("accept").split(",")
        )
    assert page.get_by_text("Take a selfie", exact=True).is_visible()
    assert page.get_by_text("Choose a photo", exact=True).is_visible()
    assert page.get_by_text("or drop a photo here").is_visible() == (size == "desktop")
    assert "consent" in page.locator(".consent").inner_text()
    submit = page.get_by_role("button", name="Find my lookalike")
    assert submit.is_disabled()
    check_page(page, f"upload-home-{size}")

    # Too big, and not something the browser can shrink: refused before anything is sent.
    big = tmp_path / "huge.heic"
    big.write_bytes(os.urandom(16_000_000))
    library.set_input_files(str(big))
    error = page.locator("[data-error]")
    error.wait_for(state="visible")
    assert "over 15 MB" in error.inner_text() and FORMATS in error.inner_text()
    assert submit.is_disabled() and posts == []

    # HEIC, which Chromium cannot show: its name and a placeholder say it was taken.
    jpeg = (faces_dir / "gallery" / "Matt_Damon" / "2.jpg").read_bytes()
    iphone = tmp_path / "IMG_0001.HEIC"
    iphone.write_bytes(heic(jpeg))
    library.set_input_files(str(iphone))
    page.locator("[data-placeholder]").wait_for(state="visible")
    assert page.locator("[data-file-name]").inner_text() == "IMG_0001.HEIC"
    assert page.locator("[data-placeholder]").inner_text().strip() == "HEIC"
    assert error.is_hidden() and submit.is_enabled()
    check_page(page, f"upload-heic-chosen-{size}")

    # A text file named .jpg: the server's message, naming the formats; the file stays chosen.
    notes = tmp_path / "notes.jpg"
    notes.write_text("not a photo")
    selfie.set_input_files(str(notes))
    submit.click()
    error.wait_for(state="visible")
    assert "not an image we can read" in error.inner_text() and FORMATS in error.inner_text()
    assert selfie.evaluate("input => input.files[0].name") == "notes.jpg"
    assert library.evaluate("input => input.files.length") == 0
    assert page.locator("[data-file-name]").inner_text() == "notes.jpg"
    assert submit.is_enabled() and len(posts) == 1 and Match.objects.count() == 0
    check_page(page, f"upload-refused-{size}")

    # A 12 MP phone photo is shrunk to the size the server keeps before it is sent.
    twelve = tmp_path / "PXL_20261123.jpg"
    twelve.write_bytes(camera_photo(jpeg))
    library.set_input_files(str(twelve))
    page.locator("[data-preview]").wait_for(state="visible")
    assert page.locator("[data-preview]").evaluate("i => i.src").startswith("blob:")
    record_progress(page)
    submit.click()
    page.wait_for_url(re.compile(r"/r/[\w-]{32}/$"))
    sent = int(posts[-1].all_headers()["content-length"])
    assert sent < twelve.stat().st_size / 3, (sent, twelve.stat().st_size)
    assert page.evaluate("() => sessionStorage.getItem('progress')") == "100"
    match = Match.objects.get()
    assert (match.photo_width, match.photo_height) == (2000, 1500)
    assert Image.open(match.photo.path).size == (2000, 1500)

    # The progress page: the visitor's own photo being scanned, then an honest word when slow.
    thumbnail = page.get_by_role("img", name="Your photo")
    thumbnail.wait_for()
    assert thumbnail.evaluate("i => i.complete && i.naturalWidth") > 0
    assert page.locator("[data-step=queued]").get_attribute("class") == "current"
    check_page(page, f"upload-progress-{size}")
    slow = page.locator("[data-slow]")
    slow.wait_for(state="visible", timeout=15_000)
    assert "nothing is lost" in slow.inner_text()
    check_page(page, f"upload-progress-slow-{size}")
    context.close()
    assert csp.violations == []


def test_an_example_clicked_twice_makes_one_result_named_as_the_example(
    browser, live_server, small_catalogue, held_worker, csp
):
    context = browser.new_context(**PHONE)
    page = csp(context.new_page())
    page.goto(live_server.url)
    page.get_by_role("button", name="Try Madonna").dblclick()
    page.wait_for_url(re.compile(r"/r/[\w-]{32}/$"))
    assert page.get_by_text("Example: Madonna").is_visible()
    assert page.get_by_role("img", name="Example: Madonna").is_visible()
    assert "your photo" not in page.locator("main").inner_text().lower()
    page.wait_for_timeout(1000)  # time for a second post, if one was sent
    assert Match.objects.count() == 1 and Match.objects.get().example == "madonna"
    # Back on the home page, this browser's results are listed.
    page.goto(live_server.url)
    recent = page.locator("[data-recent]")
    assert recent.count() == 1 and "Example: Madonna" in recent.inner_text()
    check_page(page, "upload-recent-phone")
    context.close()
    assert csp.violations == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_failure_of_the_service_offers_retry_and_one_of_the_photo_does_not(
    browser, live_server, small_catalogue, held_worker, csp, size
):
    context = browser.new_context(**SIZES[size])
    page = csp(context.new_page())
    page.goto(live_server.url)
    page.get_by_role("button", name="Try Ben Affleck").click()
    page.wait_for_url(re.compile(r"/r/[\w-]{32}/$"))
    match = Match.objects.get()
    Match.objects.filter(pk=match.pk).update(
        status="failed",
        error_code="interrupted",
        error_message="Matching this photo was interrupted 3 times, so we stopped trying.",
        attempts=3,
    )
    page.reload()
    assert page.get_by_role("heading", name="Matching didn't finish").is_visible()
    assert "not the photo's" in page.locator("[data-failure]").inner_text()
    assert page.get_by_text("Example: Ben Affleck").is_visible()
    check_page(page, f"upload-failed-retry-{size}")
    page.get_by_role("button", name="Retry").click()
    page.get_by_role("heading", name="Looking at the photo…").wait_for()
    assert Match.objects.get().status == "queued"
    check_page(page, f"upload-retried-{size}")

    Match.objects.filter(pk=match.pk).update(
        status="failed",
        error_code="no_face",
        error_message="We could not find a face in this photo.",
    )
    page.reload()
    assert page.get_by_role("heading", name="We couldn't find a face").is_visible()
    assert page.get_by_role("button", name="Retry").count() == 0
    check_page(page, f"upload-failed-photo-{size}")
    context.close()
    assert csp.violations == []


def test_without_javascript_the_form_still_posts_and_the_page_says_to_reload(
    browser, live_server, small_catalogue, faces_dir, held_worker, csp
):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = csp(context.new_page())
    page.goto(live_server.url)
    submit = page.get_by_role("button", name="Find my lookalike")
    assert submit.is_enabled()
    submit.click()  # nothing chosen: the server says so, naming the formats
    assert FORMATS in page.locator("[data-error]").inner_text()
    assert Match.objects.count() == 0
    page.set_input_files("#id_photo", str(faces_dir / "gallery" / "Matt_Damon" / "2.jpg"))
    page.get_by_role("button", name="Find my lookalike").click()
    page.wait_for_url(re.compile(r"/r/[\w-]{32}/$"))
    assert page.get_by_role("link", name="reload it").is_visible()
    assert Match.objects.get().status == "queued"
    context.close()
    assert csp.violations == []
