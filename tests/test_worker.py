"""Upload through the API, a real Celery worker matches it, the client polls until done."""

from matching.models import Match
from matching.services import index_build
from matching.tasks import match_run

from .conftest import wait_for


def test_a_real_worker_matches_an_upload(client, upload, celery_worker_process, small_catalogue):
    index_build()
    response = upload("gallery/Katy_Perry/6.jpg", api=True)
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    url = response.json()["url"]

    def finished():
        body = client.get(url).json()
        return body if body["status"] in ("done", "failed") else None

    result = wait_for(finished)
    assert result["status"] == "done", result
    assert result["faces"][0]["matches"][0]["actor"] == "Katy Perry"

    # Delivered twice (a redelivery, a double click): the second run changes nothing.
    match = Match.objects.get()
    faces_before = list(match.faces.values_list("id", flat=True))
    match_run.delay(match.pk)
    match_run.delay(match.pk)
    wait_for(lambda: celery_worker_process.tasks_succeeded() >= 3)
    match = Match.objects.get()
    assert match.attempts == 1 and match.status == "done"
    assert list(match.faces.values_list("id", flat=True)) == faces_before
