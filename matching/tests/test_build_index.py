"""`build_index` and the active version: built, stored, activated atomically, swapped live."""

import io
import re

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from actors.models import ActorImage
from face_engine.index import FILES
from matching import active_index as active
from matching.models import IndexVersion
from matching.services import index_build

pytestmark = pytest.mark.django_db


def run_build(*args) -> str:
    out = io.StringIO()
    call_command("build_index", *args, stdout=out)
    return out.getvalue()


def test_build_index_prints_counts_and_time_and_activates(small_catalogue):
    output = run_build()
    match = re.fullmatch(
        r"Index version (\d+) active: 12 faces of 3 actors, built in \d+\.\d\d s\.\n", output
    )
    assert match, output
    version = IndexVersion.objects.get(pk=int(match.group(1)))
    assert version.state == IndexVersion.State.ACTIVE and version.activated_at
    assert version.embedding_count == 12 and version.actor_count == 3
    assert sorted(version.embedding_id_array()) == sorted(
        ActorImage.objects.values_list("id", flat=True)
    )
    assert version.params["trees"] == 0 and version.build_seconds is not None  # exact: no annoy
    for name in FILES:
        if name != "faces.ann":  # annoy's file, only for versions built with trees
            assert default_storage.exists(f"{version.storage_prefix}/{name}")


def test_a_new_build_replaces_the_active_version(small_catalogue):
    first = index_build()
    second = index_build()
    first.refresh_from_db()
    assert first.state == IndexVersion.State.READY
    assert second.state == IndexVersion.State.ACTIVE
    assert IndexVersion.objects.filter(state=IndexVersion.State.ACTIVE).count() == 1


def test_only_active_images_are_indexed(small_catalogue):
    excluded = ActorImage.objects.filter(actor__name="Matt Damon").first()
    excluded.status = ActorImage.Status.EXCLUDED
    excluded.save()
    flagged = ActorImage.objects.filter(actor__name="Katy Perry").first()
    flagged.status = ActorImage.Status.FLAGGED
    flagged.save()
    version = index_build()
    assert version.embedding_count == 10
    assert excluded.pk not in version.embedding_id_array()
    assert flagged.pk not in version.embedding_id_array()


def test_a_failed_build_leaves_the_previous_version_serving(small_catalogue):
    good = index_build()
    ActorImage.objects.update(status=ActorImage.Status.EXCLUDED)
    with pytest.raises(CommandError, match="no active images with a face"):
        run_build()
    failed = IndexVersion.objects.latest("id")
    assert failed.state == IndexVersion.State.FAILED
    assert "no active images" in failed.error
    assert active.active_index().version_id == good.pk


def test_two_versions_can_never_be_active_at_once(small_catalogue):
    first = index_build()
    second = index_build(activate=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndexVersion.objects.filter(pk=second.pk).update(state=IndexVersion.State.ACTIVE)
    first.refresh_from_db()
    assert first.state == IndexVersion.State.ACTIVE


def test_a_process_keeps_its_version_until_it_rechecks(small_catalogue, settings):
    first = index_build()
    held = active.active_index()
    assert held.version_id == first.pk
    query = held.index.vectors[0].copy()

    settings.LOOKALIKE_INDEX_RECHECK_SECONDS = 3600
    second = index_build()
    assert active.active_index() is held  # not checked yet: keeps serving the old one

    settings.LOOKALIKE_INDEX_RECHECK_SECONDS = 0
    assert active.active_index().version_id == second.pk
    # A request that still holds the old version finishes on it.
    assert held.index.search(query, top=1)[0].distance == pytest.approx(0.0, abs=1e-6)


def test_index_files_are_fetched_from_storage_without_a_local_path(small_catalogue, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    version = index_build()
    loaded = active.active_index()
    assert loaded.version_id == version.pk
    assert (settings.LOOKALIKE_INDEX_CACHE_DIR / f"v{version.pk}" / "vectors.npy").exists()
    assert len(loaded.index) == 12
    assert np.asarray(loaded.index.vectors).shape == (12, 128)


def test_old_versions_files_are_pruned_keeping_the_active_and_two_before(small_catalogue):
    versions = [index_build() for _ in range(5)]
    kept = [v.pk for v in versions[-3:]]
    for version in IndexVersion.objects.all():
        has_files = default_storage.exists(f"indexes/v{version.pk}/vectors.npy")
        assert has_files == (version.pk in kept), version
        assert bool(version.storage_prefix) == (version.pk in kept)
    assert IndexVersion.objects.get(state="active").pk == versions[-1].pk
