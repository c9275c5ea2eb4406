"""Suspects checks as jobs: recorded, claimed once, and saying what they found."""

import io

import pytest
from django.core.management import call_command

from actors.models import ActorImage
from moderation.models import Flag, SuspectsCheck
from moderation.services_suspects import (
    suspects_check_now,
    suspects_check_request,
    suspects_check_run,
)

pytestmark = pytest.mark.django_db

PEOPLE = ["Elton_John", "Madonna", "Mindy_Kaling"]
INTRUDER = "gallery/Jerry_Seinfeld/1.jpg"


@pytest.fixture
def misfiled_gallery(make_catalogue):
    """Three people with six photos each, and a photo of a fourth filed under Madonna."""
    layout = {person: [f"gallery/{person}/{n}.jpg" for n in range(1, 7)] for person in PEOPLE}
    layout["Madonna"].append(INTRUDER)
    root = make_catalogue(layout)
    return ActorImage.objects.get(source=str(root / "Madonna" / "7-1.jpg"))


def test_a_queued_check_runs_once_and_records_what_it_found(
    misfiled_gallery, curator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as sent:
        check = suspects_check_request(user=curator)
    assert len(sent) == 1  # the task goes out once the row is saved
    with django_capture_on_commit_callbacks(execute=False) as again:
        assert suspects_check_request() == check  # still queued: no second check
    assert again == [] and SuspectsCheck.objects.count() == 1
    assert check.state == "queued" and check.outcome() == "Checking for suspects…"

    ran = suspects_check_run(check.pk)
    check.refresh_from_db()
    assert ran is not None and check.state == "done"
    assert check.flags_opened == 1 and check.requested_by == curator
    assert check.started_at and check.finished_at >= check.started_at
    assert check.outcome() == "Found 1 new suspect."
    assert Flag.objects.get().image == misfiled_gallery

    # A second delivery of the same task does nothing: the check is not queued any more.
    assert suspects_check_run(check.pk) is None
    check.refresh_from_db()
    assert check.flags_opened == 1 and Flag.objects.count() == 1


def test_a_check_that_finds_nothing_new_says_so(misfiled_gallery):
    suspects_check_now()
    second = SuspectsCheck.objects.get(pk=suspects_check_request().pk)
    suspects_check_run(second.pk)
    second.refresh_from_db()
    assert second.flags_opened == 0 and second.outcome() == "No new suspects."


def test_the_outcome_counts_in_plurals():
    check = SuspectsCheck(state="done", flags_opened=3)
    assert check.outcome() == "Found 3 new suspects."


def test_a_failed_check_records_its_error(small_catalogue):
    from actors.models import FaceEmbedding

    # A damaged embedding in the catalogue: the check cannot read the vectors.
    FaceEmbedding.objects.filter(pk=FaceEmbedding.objects.first().pk).update(vector=b"abc")
    check = suspects_check_request()
    suspects_check_run(check.pk)
    check.refresh_from_db()
    assert check.state == "failed" and check.finished_at and check.error
    assert check.outcome() == f"The check for suspects failed: {check.error}"
    assert Flag.objects.count() == 0


def test_the_command_records_its_check_too(misfiled_gallery):
    call_command("find_suspects", stdout=io.StringIO())
    check = SuspectsCheck.objects.get()
    assert check.state == "done" and check.flags_opened == 1


def test_a_check_lost_with_its_worker_stops_saying_it_is_running(db):
    from datetime import timedelta

    from django.utils import timezone

    check = SuspectsCheck.objects.create(state="running")
    assert not check.is_finished and check.outcome() == "Checking for suspects…"
    SuspectsCheck.objects.filter(pk=check.pk).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    check.refresh_from_db()
    assert check.is_finished
    assert check.outcome().startswith("The check for suspects did not finish")
