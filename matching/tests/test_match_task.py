"""The matching task's promises: idempotent, claims its work, retries what may pass."""

import socket

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from matching.models import Match
from matching.services import match_process
from matching.services.claims import MatchHeld

pytestmark = pytest.mark.django_db


def test_running_twice_does_the_work_once(queued):
    match_process(queued.pk)
    first = Match.objects.get(pk=queued.pk)
    face_ids = list(first.faces.values_list("id", flat=True))
    match_process(queued.pk)
    again = Match.objects.get(pk=queued.pk)
    assert again.status == "done" and again.attempts == 1
    assert list(again.faces.values_list("id", flat=True)) == face_ids


def test_a_match_being_worked_on_is_not_taken_twice(queued, live_process):
    holder = f"{socket.gethostname()}:{live_process.pid}"
    Match.objects.filter(pk=queued.pk).update(
        status=Match.Status.FINDING_FACES, claimed_by=holder, heartbeat_at=timezone.now()
    )
    with pytest.raises(MatchHeld):  # the task tries again later rather than drop the message
        match_process(queued.pk)
    match = Match.objects.get(pk=queued.pk)
    assert (match.status, match.attempts, match.claimed_by) == ("finding_faces", 0, holder)


def test_transient_failures_are_retried_then_reported(queued, settings):
    default_storage.delete(queued.photo.name)  # storage loses the photo: OSError each time
    for attempt in range(1, settings.LOOKALIKE_MATCH_ATTEMPTS):
        with pytest.raises(OSError):
            match_process(queued.pk, transient=(OSError,))
        match = Match.objects.get(pk=queued.pk)
        assert (match.status, match.attempts, match.claimed_by) == ("queued", attempt, "")
    match_process(queued.pk, transient=(OSError,))  # the last attempt fails it: no retry
    match = Match.objects.get(pk=queued.pk)
    assert match.status == "failed" and match.error_code == "error"
    assert "Please try again" in match.error_message


def test_the_stored_photo_is_a_fresh_jpeg(queued):
    with default_storage.open(queued.photo.name) as handle:
        assert handle.read(3) == b"\xff\xd8\xff"
    assert queued.photo.name == f"visitors/{queued.storage_key}/photo.jpg"
    assert queued.token not in queued.photo.name
