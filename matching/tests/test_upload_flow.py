"""The upload page's script path (JSON answers), one result per double post, examples named as
examples, the progress page, Retry, and this browser's recent results."""

import io
import os
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.session_uploads import session_uploads
from matching.models import Match
from matching.services import match_retry

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}
FORMATS = "JPEG, PNG, WebP or HEIC"


def a_file(data: bytes, name: str = "me.jpg"):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_the_script_gets_the_result_address_as_json(client, upload, indexed_catalogue):
    response = upload("gallery/Katy_Perry/1.jpg", headers=JSON)
    match = Match.objects.get()
    assert response.status_code == 200
    assert response.json() == {"url": f"/r/{match.token}/"}
    assert session_uploads(client) == [match.token]
    assert match.status == "done"


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        (
            {"photo": a_file(b"not a photo")},
            400,
            f"not an image we can read. Please upload a {FORMATS}",
        ),
        ({}, 400, f"Choose a photo ({FORMATS}), or try one of the examples."),
        ({"example": "no-such-example"}, 400, "Select a valid choice"),
    ],
    ids=["not-an-image", "nothing", "bad-example"],
)
def test_refusals_are_json_with_the_field_and_status(client, fields, status, says):
    response = client.post(reverse("home"), fields, headers=JSON)
    assert response.status_code == status
    body = response.json()
    assert says in body["error"] and body["field"] in ("photo", "example")
    assert Match.objects.count() == 0


def test_a_too_large_photo_is_refused_as_json_naming_the_formats(client, settings, faces_dir):
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 1000
    data = (faces_dir / "gallery" / "Katy_Perry" / "1.jpg").read_bytes()
    response = client.post(reverse("home"), {"photo": a_file(data)}, headers=JSON)
    assert response.status_code == 413
    assert response.json()["error"] == (
        f"This file is over 0.001 MB. Please upload a smaller {FORMATS} photo."
    )


def test_over_the_limit_the_script_is_told_when_to_come_back(client, settings, faces_dir):
    limits = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "1/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": limits}
    data = (faces_dir / "gallery" / "Katy_Perry" / "1.jpg").read_bytes()
    first = client.post(reverse("home"), {"photo": a_file(data)}, headers=JSON)
    second = client.post(reverse("home"), {"photo": a_file(data)}, headers=JSON)
    assert first.status_code == 200
    assert second.status_code == 429 and int(second["Retry-After"]) > 0
    assert "Too many uploads" in second.json()["error"]


def test_a_double_click_on_an_example_makes_one_result(client, upload, indexed_catalogue):
    token = "page-token-1"
    first = upload(None, example="barack-obama", submit_token=token)
    second = upload(None, example="barack-obama", submit_token=token)
    match = Match.objects.get()
    assert first["Location"] == second["Location"] == match.get_absolute_url()
    # Another example, or the same one from a newly shown page, is a new result.
    upload(None, example="madonna", submit_token=token)
    upload(None, example="barack-obama", submit_token="page-token-2")
    assert Match.objects.count() == 3


def test_a_double_post_of_a_photo_makes_one_result_and_counts_once(
    client, upload, indexed_catalogue, settings
):
    limits = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": limits}
    answers = [upload(submit_token="t", headers=JSON).json() for _ in range(3)]
    assert Match.objects.count() == 1 and len({a["url"] for a in answers}) == 1
    assert upload("gallery/Katy_Perry/1.jpg").status_code == 302  # one upload counted, not three


def test_an_example_is_named_as_an_example_while_it_runs(client, upload, indexed_catalogue):
    location = upload(None, example="madonna", run_task=False)["Location"]
    match = Match.objects.get()
    assert match.example == "madonna" and match.example_name == "Madonna"
    html = client.get(location).content.decode()
    assert "Example: Madonna" in html and "your photo" not in html.lower()
    assert f'src="/r/{match.token}/photo.jpg" alt="Example: Madonna"' in html
    own = upload("gallery/Katy_Perry/1.jpg", run_task=False)
    assert Match.objects.get(token=own["Location"].split("/")[2]).example_name == ""


def test_the_progress_page_shows_the_owner_their_photo(client, upload, indexed_catalogue):
    location = upload(run_task=False)["Location"]
    match = Match.objects.get()
    html = client.get(location).content.decode()
    assert 'data-status="queued"' in html and "Looking at your photo" in html
    assert f'src="{reverse("match-photo", args=[match.token])}" alt="Your photo"' in html
    assert "data-slow-after=" in html and "This is taking longer than usual" in html
    assert "<noscript>" in html and "js/progress.js" in html
    photo = client.get(reverse("match-photo", args=[match.token]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    stranger = Client()
    assert "photo.jpg" not in stranger.get(location).content.decode()
    assert stranger.get(reverse("match-photo", args=[match.token])).status_code == 404


def fail(match: Match, code: str = "error", message: str = "Something went wrong.") -> None:
    Match.objects.filter(pk=match.pk).update(
        status="failed", error_code=code, error_message=message, attempts=3
    )


def test_a_failure_that_is_not_the_photos_offers_retry_to_its_owner(
    client, upload, indexed_catalogue, django_capture_on_commit_callbacks
):
    location = upload(run_task=False)["Location"]
    match = Match.objects.get()
    fail(match)
    html = client.get(location).content.decode()
    assert "Matching didn't finish" in html and "not the photo's" in html
    assert "couldn't use this photo" not in html
    retry = reverse("match-retry", args=[match.token])
    assert f'action="{retry}"' in html
    # Someone else with the link sees the failure, but no Retry, and cannot post one.
    stranger = Client()
    assert retry not in stranger.get(location).content.decode()
    assert stranger.post(retry).status_code == 404
    assert client.get(retry).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302 and response["Location"] == location
    match.refresh_from_db()
    assert match.status == "done" and match.attempts == 1 and match.error_code == ""
    assert "You look like Matt Damon" in client.get(location).content.decode()


def test_a_failure_caused_by_the_photo_blames_it_and_offers_no_retry(
    client, upload, indexed_catalogue
):
    location = upload(run_task=False)["Location"]
    match = Match.objects.get()
    fail(match, "no_face", "We could not find a face in this photo.")
    html = client.get(location).content.decode()
    assert "We couldn't find a face" in html and "retry" not in html
    assert match_retry(Match.objects.get()) is False


def test_retry_needs_the_kept_photo_and_happens_once(
    client, upload, indexed_catalogue, django_capture_on_commit_callbacks
):
    upload(run_task=False)
    match = Match.objects.get()
    fail(match)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert match_retry(match) is True
        assert match_retry(match) is False  # already queued again
    assert len(queued) == 1
    fail(match)
    Match.objects.filter(pk=match.pk).update(photo="", original="")
    assert match_retry(Match.objects.get()) is False


def test_recent_results_in_this_browser(client, upload, indexed_catalogue, django_user_model):
    upload("gallery/Katy_Perry/1.jpg")
    upload(None, example="barack-obama")
    expired = upload("gallery/Matt_Damon/3.jpg", run_task=False)["Location"]
    Match.objects.filter(token=expired.split("/")[2]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    html = client.get(reverse("home")).content.decode()
    assert "Your recent results in this browser" in html
    links = [m.get_absolute_url() for m in Match.objects.order_by("-created_at", "-id")]
    shown = [link for link in links if f'href="{link}" data-recent' in html]
    assert shown == links[1:]  # newest first, the expired one left out
    assert html.index("Example: Barack Obama · Barack Obama") < html.index("Katy Perry, ")
    assert "Your recent results" not in Client().get(reverse("home")).content.decode()
    member = Client()
    member.force_login(django_user_model.objects.create_user("ada", password="x" * 20))
    assert "Your recent results" not in member.get(reverse("home")).content.decode()


def test_at_most_ten_recent_results(client, upload, indexed_catalogue):
    for _ in range(12):
        upload(run_task=False, submit_token="")
    html = client.get(reverse("home")).content.decode()
    assert html.count("data-recent") == 10


@pytest.fixture
def tasks_held():
    """Tasks go to a Redis queue nobody reads: the matches stay queued."""
    from lookalike_site.celery import app

    keys = ("task_always_eager", "broker_url", "task_default_queue")
    previous = {key: app.conf[key] for key in keys}
    queue = f"test-held-{uuid.uuid4().hex[:10]}"
    broker = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    app._pool = app.amqp._producer_pool = None
    yield
    with app.connection_for_write() as broker_connection:
        broker_connection.default_channel.queue_delete(queue)
    app.conf.update(previous)
    app._pool = app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_the_same_moment_make_one_result(indexed_catalogue, tasks_held):
    """A double tap sends two requests at once: the second waits for the first's result."""
    start = threading.Barrier(2)
    answers = []

    def post():
        browser = Client()
        start.wait()
        answer = browser.post(
            reverse("home"), {"example": "madonna", "submit_token": "tap"}, headers=JSON
        )
        answers.append((answer.status_code, answer.json()["url"]))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    match = Match.objects.get()
    assert answers == [(200, match.get_absolute_url())] * 2
