"""Writes for matching: building, storing and activating index versions."""

from __future__ import annotations

import logging
import tempfile
import time

import numpy as np
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from actors.models import ActorImage, FaceEmbedding
from matching.engine.faces import ENCODER
from matching.engine.index import FaceIndex
from matching.models import IndexVersion

log = logging.getLogger(__name__)


class IndexBuildError(Exception):
    pass


def _active_embeddings() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = (
        FaceEmbedding.objects.filter(image__status=ActorImage.Status.ACTIVE, encoder=ENCODER)
        .order_by("image_id")
        .values_list("image_id", "image__actor_id", "vector")
    )
    ids, actor_ids, vectors = [], [], []
    for image_id, actor_id, vector in rows.iterator(chunk_size=2000):
        ids.append(image_id)
        actor_ids.append(actor_id)
        vectors.append(np.frombuffer(bytes(vector), dtype=FaceEmbedding.DTYPE))
    if not ids:
        return np.empty((0, 128), np.float32), np.empty(0, np.int64), np.empty(0, np.int64)
    return np.stack(vectors), np.asarray(ids, np.int64), np.asarray(actor_ids, np.int64)


def index_build(*, trees: int | None = None, activate: bool = True) -> IndexVersion:
    """Build an index of every active image's embedding, store its files, then activate it.

    The slow part runs outside any transaction; a failure marks the version failed and leaves
    the version that was active serving.
    """
    trees = trees or settings.LOOKALIKE_INDEX_TREES
    version = IndexVersion.objects.create(encoder=ENCODER, params={"trees": trees})
    started = time.perf_counter()
    try:
        vectors, ids, actor_ids = _active_embeddings()
        if len(ids) == 0:
            raise IndexBuildError("There are no active images with a face to index.")
        index = FaceIndex.build(vectors, ids, actor_ids, trees=trees)
        prefix = f"indexes/v{version.pk}"
        with tempfile.TemporaryDirectory() as tmp:
            for path in index.save(tmp):
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
        version.save()
    except Exception as exc:
        version.state = IndexVersion.State.FAILED
        version.error = str(exc) or exc.__class__.__name__
        version.build_seconds = round(time.perf_counter() - started, 3)
        version.save(update_fields=["state", "error", "build_seconds"])
        log.exception("index build v%s failed", version.pk)
        raise
    if activate:
        index_activate(version)
    return version


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
        state=IndexVersion.State.ACTIVE, activated_at=timezone.now()
    )
    version.refresh_from_db()
    return version
