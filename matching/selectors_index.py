"""Reads about the search index: what the next build would change."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from actors.models import ActorImage, FaceEmbedding
from face_engine.faces import ENCODER

from .models import IndexVersion


@dataclass(frozen=True)
class NextBuild:
    adds: int  # active photos the active version does not hold: approved or imported since
    leaves_out: int  # photos in the active version that are no longer active
    active_version: int | None


def next_build_changes() -> NextBuild:
    """How the next build would differ from the active version, counted as the build counts:
    every active photo with a current embedding goes in (matching.services.index._build)."""
    current = np.fromiter(
        FaceEmbedding.objects.filter(
            image__status=ActorImage.Status.ACTIVE, encoder=ENCODER
        ).values_list("image_id", flat=True),
        dtype=np.int64,
    )
    version = IndexVersion.objects.filter(state=IndexVersion.State.ACTIVE).first()
    if version is None:
        return NextBuild(adds=len(current), leaves_out=0, active_version=None)
    built = version.embedding_id_array()
    return NextBuild(
        adds=int(np.isin(current, built, invert=True).sum()),
        leaves_out=int(np.isin(built, current, invert=True).sum()),
        active_version=version.pk,
    )


def latest_build() -> IndexVersion | None:
    """The newest index version: the build running now, or the one that ran last."""
    return IndexVersion.objects.order_by("-id").first()


# The banner is on every curation page: its counts are kept this long, under a key that changes
# with the active version and with the active photos' count and newest id.
REBUILD_NEEDED_CACHE_SECONDS = 30


def rebuild_needed() -> NextBuild | None:
    """What approved changes wait for a rebuild (photos added and removed since the active
    version), or None when the active version is up to date. Cheap enough for every page: two
    small SQL aggregates decide whether the cached counts still hold."""
    from django.core.cache import cache
    from django.db.models import Count, Max

    active = IndexVersion.objects.filter(state=IndexVersion.State.ACTIVE).values_list(
        "pk", flat=True
    )
    stamp = ActorImage.objects.filter(status=ActorImage.Status.ACTIVE).aggregate(
        n=Count("id"), last=Max("id")
    )
    key = f"rebuild-needed:{active.first()}:{stamp['n']}:{stamp['last']}"
    changes = cache.get(key)
    if changes is None:
        changes = next_build_changes()
        cache.set(key, changes, REBUILD_NEEDED_CACHE_SECONDS)
    if changes.adds or changes.leaves_out:
        return changes
    return None
