"""Index builds that say where they are and what came of them, refuse to rebuild nothing, and
the counts behind the "rebuild needed" banner."""

import io
import re

import pytest
from django.core.management import call_command

from actors.models import ActorImage
from matching.models import IndexVersion
from matching.selectors_index import rebuild_needed
from matching.services import NothingChanged, index_build, index_build_run, index_rebuild_request

pytestmark = pytest.mark.django_db


def run_build(*args) -> str:
    out = io.StringIO()
    call_command("build_index", *args, stdout=out)
    return out.getvalue()


def test_a_build_records_its_stages_counts_and_result(
    small_catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        version = index_rebuild_request()
    assert version.stage == "queued"
    assert (
        version.status_message()
        == f"Version {version.pk} is queued; it starts when a worker is free."
    )

    index_build_run(version.pk)
    version.refresh_from_db()
    assert version.state == "active" and version.stage == "finished"
    assert version.progress == {"faces": 12, "actors": 3}
    assert re.fullmatch(
        rf"Version {version.pk} is live: 12 faces of 3 actors, built in \d+\.\d s\.",
        version.status_message(),
    )


def test_a_running_build_says_its_stage_and_counts():
    version = IndexVersion(pk=7, state="building", stage="saving")
    version.progress = {"faces": 2310, "actors": 120, "files_saved": 1, "files_total": 3}
    assert version.status_message() == (
        "Building version 7… Saving: 2,310 faces of 120 actors, file 1 of 3."
    )
    activating = IndexVersion(pk=7, state="ready", stage="activating", progress={"faces": 3})
    assert not activating.is_finished
    assert activating.status_message() == "Building version 7… Activating: 3 faces."
    failed = IndexVersion(pk=8, state="failed", error="There are no active images")
    assert failed.status_message() == "Version 8 failed: There are no active images"


def test_a_rebuild_with_nothing_changed_is_refused(small_catalogue):
    first = index_build()
    with pytest.raises(NothingChanged) as refused:
        index_rebuild_request()
    assert str(refused.value) == (
        f"Nothing has changed since version {first.pk}; no rebuild needed."
    )
    assert IndexVersion.objects.count() == 1

    # The command says so too, and builds when forced.
    assert run_build() == f"Nothing has changed since version {first.pk}; no rebuild needed.\n"
    assert IndexVersion.objects.count() == 1
    assert run_build("--force").startswith(f"Index version {first.pk + 1} active: 12 faces")

    # Other trees, or one photo less, is a change.
    assert index_rebuild_request(trees=10).params["trees"] == 10


def test_a_change_in_the_photos_allows_a_rebuild(
    small_catalogue, django_capture_on_commit_callbacks
):
    index_build()
    ActorImage.objects.filter(pk=ActorImage.objects.first().pk).update(status="excluded")
    with django_capture_on_commit_callbacks(execute=True):
        version = index_rebuild_request()
    version.refresh_from_db()
    assert version.state == "active" and version.embedding_count == 11


def test_the_banner_counts_photos_added_and_removed_since_the_live_index(small_catalogue):
    assert rebuild_needed().adds == 12  # nothing is live yet
    live = index_build()
    assert rebuild_needed() is None

    photos = list(ActorImage.objects.order_by("id")[:3])
    ActorImage.objects.filter(pk=photos[0].pk).update(status="excluded")
    ActorImage.objects.filter(pk=photos[1].pk).update(status="flagged")
    changes = rebuild_needed()
    assert (changes.adds, changes.leaves_out, changes.active_version) == (0, 2, live.pk)

    ActorImage.objects.filter(pk=photos[1].pk).update(status="active")
    changes = rebuild_needed()
    assert (changes.adds, changes.leaves_out) == (0, 1)


def test_a_build_lost_with_its_worker_stops_saying_it_is_running(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    version = IndexVersion.objects.create(state="building", encoder="x", stage="building")
    assert not version.is_finished and version.status_message().startswith("Building version")
    long_ago = timezone.now() - timedelta(seconds=settings.LOOKALIKE_INDEX_BUILD_TIME_LIMIT + 61)
    IndexVersion.objects.filter(pk=version.pk).update(started_at=long_ago)
    version.refresh_from_db()
    assert version.is_finished
    assert version.status_message() == (
        f"Version {version.pk} did not finish; its worker may have stopped. Rebuild again."
    )
