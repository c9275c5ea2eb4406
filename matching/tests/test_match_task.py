"""The matching task's promises: idempotent, claims its work, retries what may pass."""

import pytest
from django.core.files.storage import default_storage

from matching.models import Match
from matching.services import match_create, match_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(indexed_catalogue, faces_dir, django_capture_on_commit_callbacks):
    """A match saved and queued, its task not yet run."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        match = match_create(data=(faces_dir / "gallery" / "Matt_Damon" / "4.jpg").read_bytes())
    assert len(callbacks) == 1  # queued once, only after the transaction committed
    return match


def test_running_twice_does_the_work_once(queued):
    match_process(queued.pk)
    first = Match.objects.get(pk=queued.pk)
    face_ids = list(first.faces.values_list("id", flat=True))
    match_process(queued.pk)
    again = Match.objects.get(pk=queued.pk)
    assert again.status == "done" and again.attempts == 1
    assert list(again.faces.values_list("id", flat=True)) == face_ids


def test_a_match_being_worked_on_is_not_taken_twice(queued):
    Match.objects.filter(pk=queued.pk).update(status=Match.Status.FINDING_FACES)
    match_process(queued.pk)
    match = Match.objects.get(pk=queued.pk)
    assert match.status == "finding_faces" and match.attempts == 0


def test_transient_failures_are_retried_then_reported(queued, settings):
    default_storage.delete(queued.photo.name)  # storage loses the photo: OSError each time
    for attempt in range(1, settings.LOOKALIKE_MATCH_ATTEMPTS):
        with pytest.raises(OSError):
            match_process(queued.pk, transient=(OSError,))
        match = Match.objects.get(pk=queued.pk)
        assert (match.status, match.attempts) == ("queued", attempt)
    with pytest.raises(OSError):
        match_process(queued.pk, transient=(OSError,))
    match = Match.objects.get(pk=queued.pk)
    assert match.status == "failed" and match.error_code == "error"
    assert "Please try again" in match.error_message


def test_the_stored_photo_is_a_fresh_jpeg(queued):
    with default_storage.open(queued.photo.name) as handle:
        assert handle.read(3) == b"\xff\xd8\xff"
    assert queued.photo.name == f"visitors/{queued.storage_key}/photo.jpg"
    assert queued.token not in queued.photo.name
