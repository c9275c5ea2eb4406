"""Writes for matching: building, storing and activating index versions."""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actors.selectors import active_embeddings
from face_engine.faces import ENCODER
from face_engine.index import FILES, FORMER_FILES, FaceIndex
from matching.models import IndexBuildSlot, IndexVersion

log = logging.getLogger(__name__)


class IndexBuildError(Exception):
    pass


class BuildInProgress(IndexBuildError):
    def __init__(self, version_id: int | None):
        self.version_id = version_id
        super().__init__(f"Index version {version_id} is being built already; wait for it.")


class NothingChanged(IndexBuildError):
    """A build now would hold exactly what the active version holds."""

    def __init__(self, version_id: int):
        self.version_id = version_id
        super().__init__(f"Nothing has changed since version {version_id}; no rebuild needed.")


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.LOOKALIKE_INDEX_BUILD_TIME_LIMIT + 60)


def _slot_holder() -> int | None:
    """The version holding the build slot, unless its claim has gone stale."""
    return (
        IndexBuildSlot.objects.filter(pk=1, holder__isnull=False)
        .exclude(claimed_at__lt=_stale_before())
        .values_list("holder_id", flat=True)
        .first()
    )


def index_unchanged(trees: int | None = None) -> IndexVersion | None:
    """The active version, if a build now would be identical to it: the same encoder, the same
    trees and the same embeddings (every active photo with a current embedding, as `_build`
    takes them); None if anything differs or no version is active."""
    from matching.selectors_index import next_build_changes

    trees = settings.LOOKALIKE_INDEX_TREES if trees is None else trees
    active = IndexVersion.objects.filter(state=IndexVersion.State.ACTIVE).first()
    if active is None or active.encoder != ENCODER or active.params.get("trees") != trees:
        return None
    changes = next_build_changes()
    if changes.adds or changes.leaves_out or changes.active_version != active.pk:
        return None
    return active


def _claim_slot(version: IndexVersion) -> bool:
    """Take the one build slot for this version, in one conditional UPDATE."""
    stale = _stale_before()
    IndexBuildSlot.objects.get_or_create(pk=1)
    return bool(
        IndexBuildSlot.objects.filter(
            Q(holder__isnull=True) | Q(claimed_at__lt=stale), pk=1
        ).update(holder=version, claimed_at=timezone.now())
    )


def _release_slot(version: IndexVersion) -> None:
    IndexBuildSlot.objects.filter(pk=1, holder=version).update(holder=None, claimed_at=None)


def _claim_new_version(state: str, trees: int | None, user=None) -> IndexVersion:
    trees = settings.LOOKALIKE_INDEX_TREES if trees is None else trees
    with transaction.atomic():
        version = IndexVersion.objects.create(
            encoder=ENCODER,
            params={"trees": trees},
            state=state,
            requested_by=user,
            stage=IndexVersion.Stage.QUEUED,
        )
        if not _claim_slot(version):
            holder = IndexBuildSlot.objects.values_list("holder_id", flat=True).get(pk=1)
            raise BuildInProgress(holder)
    return version


def _refuse_needless(trees: int | None) -> None:
    holder = _slot_holder()
    if holder is not None:
        raise BuildInProgress(holder)
    unchanged = index_unchanged(trees)
    if unchanged is not None:
        raise NothingChanged(unchanged.pk)


def index_rebuild_request(
    *, user=None, trees: int | None = None, force: bool = False
) -> IndexVersion:
    """Queue a build for the worker; refused while another build is queued or running, and,
    unless forced, when it would be identical to the active version (NothingChanged)."""
    from matching.tasks import index_build_task

    if not force:
        _refuse_needless(trees)
    version = _claim_new_version(IndexVersion.State.QUEUED, trees, user)
    transaction.on_commit(lambda: index_build_task.delay(version.pk))
    return version


def index_build(
    *, trees: int | None = None, activate: bool = True, skip_unchanged: bool = False
) -> IndexVersion:
    """Build now, in this process (the build_index command). With skip_unchanged, a build that
    would be identical to the active version is refused with NothingChanged."""
    if skip_unchanged:
        _refuse_needless(trees)
    version = _claim_new_version(IndexVersion.State.BUILDING, trees)
    return _build(version, activate=activate)


def index_build_run(version_id: int) -> IndexVersion | None:
    """The worker's side of a queued build. Safe to run twice: only a queued version starts."""
    if not IndexVersion.objects.filter(pk=version_id, state=IndexVersion.State.QUEUED).update(
        state=IndexVersion.State.BUILDING, started_at=timezone.now()
    ):
        return None
    return _build(IndexVersion.objects.get(pk=version_id), activate=True)


def _build(version: IndexVersion, *, activate: bool) -> IndexVersion:
    """Build an index of every active image's embedding, store its files, then activate it.

    The slow part runs outside any transaction; a failure marks the version failed and leaves
    the version that was active serving. Pruning old versions' files afterwards is housekeeping:
    its failure is logged and retried by the periodic task, and never touches this version.
    """
    started = time.perf_counter()
    try:
        _stage(version, IndexVersion.Stage.LOADING)
        vectors, ids, actor_ids = active_embeddings()
        if len(ids) == 0:
            raise IndexBuildError("There are no active images with a face to index.")
        counts = {"faces": len(ids), "actors": len(np.unique(actor_ids))}
        _stage(version, IndexVersion.Stage.BUILDING, **counts)
        index = FaceIndex.build(vectors, ids, actor_ids, trees=version.params["trees"])
        prefix = f"indexes/v{version.pk}"
        with tempfile.TemporaryDirectory() as tmp:
            paths = list(index.save(tmp))
            for n, path in enumerate(paths):
                _stage(
                    version,
                    IndexVersion.Stage.SAVING,
                    **counts,
                    files_saved=n,
                    files_total=len(paths),
                )
                with path.open("rb") as handle:
                    default_storage.save(f"{prefix}/{path.name}", File(handle))
        version.storage_prefix = prefix
        version.params = index.params
        version.embedding_ids = index.item_ids.astype("<i8").tobytes()
        version.embedding_count = len(index)
        version.actor_count = index.actor_count
        version.build_seconds = round(time.perf_counter() - started, 3)
        version.built_at = timezone.now()
        version.state = IndexVersion.State.READY
        version.stage = IndexVersion.Stage.ACTIVATING if activate else IndexVersion.Stage.FINISHED
        version.progress = counts
        version.save()
        if activate:
            index_activate(version)
    except BaseException as exc:
        version.state = IndexVersion.State.FAILED
        version.error = str(exc) or exc.__class__.__name__
        version.build_seconds = round(time.perf_counter() - started, 3)
        version.stage = IndexVersion.Stage.FINISHED
        version.save(update_fields=["state", "error", "build_seconds", "stage"])
        log.exception("index build v%s failed", version.pk)
        raise
    finally:
        _release_slot(version)
    if activate:
        index_versions_prune_safely()
    version.refresh_from_db()
    return version


def _stage(version: IndexVersion, stage: str, **progress) -> None:
    """Record where the build has got to, for the index page to show while it runs."""
    version.stage, version.progress = stage, progress
    IndexVersion.objects.filter(pk=version.pk).update(stage=stage, progress=progress)


@transaction.atomic
def index_activate(version: IndexVersion) -> IndexVersion:
    """Make a ready version the one active version, in one transaction."""
    locked = IndexVersion.objects.select_for_update().get(pk=version.pk)
    if locked.state not in (IndexVersion.State.READY, IndexVersion.State.ACTIVE):
        raise IndexBuildError(f"Index version {version.pk} is {locked.state}, not ready.")
    IndexVersion.objects.filter(state=IndexVersion.State.ACTIVE).exclude(pk=version.pk).update(
        state=IndexVersion.State.READY
    )
    IndexVersion.objects.filter(pk=version.pk).update(
        state=IndexVersion.State.ACTIVE,
        activated_at=timezone.now(),
        stage=IndexVersion.Stage.FINISHED,
    )
    version.refresh_from_db()
    return version


def index_versions_prune(keep: int | None = None) -> list[int]:
    """Delete the stored files of old versions: all but the active one and the `keep` newest
    ready ones (a process that has not yet noticed the newest version still uses those).
    The rows stay, as the history of builds; their storage_prefix is cleared."""
    keep = settings.LOOKALIKE_INDEX_VERSIONS_KEPT if keep is None else keep
    with_files = IndexVersion.objects.exclude(storage_prefix="")
    ready = with_files.filter(state=IndexVersion.State.READY).order_by("-id")
    kept = set(ready.values_list("id", flat=True)[:keep])
    pruned = []
    for version in with_files.filter(
        state__in=[IndexVersion.State.READY, IndexVersion.State.FAILED]
    ).exclude(id__in=kept):
        for name in FILES + FORMER_FILES:
            default_storage.delete(f"{version.storage_prefix}/{name}")
        IndexVersion.objects.filter(pk=version.pk).update(storage_prefix="")
        pruned.append(version.pk)
    return pruned


def index_versions_prune_safely() -> list[int]:
    """Prune, logging a storage failure instead of raising it; the periodic task tries again."""
    try:
        return index_versions_prune()
    except OSError:
        log.exception("could not delete the files of an old index version; will retry")
        return []
