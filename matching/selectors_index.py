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
