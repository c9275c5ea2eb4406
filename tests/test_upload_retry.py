"""Retry: a match the matching service failed is queued again from its kept photo, and a real
worker finishes it."""

from django.urls import reverse

from matching.models import Match
from matching.services import index_build

from .conftest import wait_for


def test_the_owner_retries_a_failed_match_and_the_worker_finishes_it(
    client, upload, celery_worker_process, small_catalogue
):
    index_build()
    # A group photo: its photo is kept once matched (a one-face photo's is deleted then).
    location = upload("extras/group_obama_and_biden.jpg")["Location"]
    match = Match.objects.get()
    wait_for(lambda: Match.objects.get(pk=match.pk).status == "done", timeout=90)
    # As if every attempt had failed on the service's side: the photo is still kept.
    Match.objects.filter(pk=match.pk).update(
        status="failed", error_code="interrupted", error_message="Interrupted.", attempts=3
    )
    html = client.get(location).content.decode()
    assert "Matching didn't finish" in html and ">Retry</button>" in html

    response = client.post(reverse("match-retry", args=[match.token]))
    assert response.status_code == 302 and response["Location"] == location
    finished = wait_for(
        lambda: Match.objects.filter(pk=match.pk, status__in=["done", "failed"]).first(),
        timeout=90,
    )
    assert finished.status == "done" and finished.attempts == 1
    assert finished.faces.count() == 3  # the README of the shared photos counts three
    html = client.get(location).content.decode()
    assert 'id="result-title">Face 1 ' in html or "for face 1</h1>" in html
    assert "Matching didn't finish" not in html
