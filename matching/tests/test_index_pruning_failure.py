"""Deleting an old index version's files is housekeeping: when storage refuses, the new version
stays active and the files are deleted on a later try."""

from pathlib import Path

from django.core.files.storage import default_storage

from matching.models import IndexVersion
from matching.services import index_build
from matching.tasks import index_versions_prune_task


def test_a_pruning_failure_leaves_the_new_version_active_and_is_retried(
    small_catalogue, settings, caplog
):
    settings.LOOKALIKE_INDEX_VERSIONS_KEPT = 0
    oldest = index_build()
    # Storage cannot delete a name that has become a folder with a file in it.
    blocker = Path(default_storage.path(f"{oldest.storage_prefix}/vectors.npy"))
    blocker.unlink()
    blocker.mkdir()
    (blocker / "inside").write_text("x")

    newest = index_build()

    assert newest.state == IndexVersion.State.ACTIVE
    assert IndexVersion.objects.get(state="active").pk == newest.pk
    oldest.refresh_from_db()
    assert oldest.state == IndexVersion.State.READY and oldest.storage_prefix
    assert "could not delete the files of an old index version" in caplog.text

    (blocker / "inside").unlink()
    assert index_versions_prune_task.delay().get() == 1
    oldest.refresh_from_db()
    assert not oldest.storage_prefix and not blocker.exists()
