"""Reads for curation."""

import numpy as np

from actors.models import ActorImage, FaceEmbedding
from face_engine import embeddings


def typical_images(actor_id: int, count: int = 3) -> list[ActorImage]:
    """The actor's active photos nearest the medoid of their faces: the ones that look most
    like the actor, for a curator to compare a flagged photo with."""
    rows = list(
        FaceEmbedding.objects.filter(
            image__actor_id=actor_id, image__status=ActorImage.Status.ACTIVE
        ).values_list("image_id", "vector")
    )
    if not rows:
        return []
    ids = [image_id for image_id, _ in rows]
    vectors = embeddings.unpack_many(v for _, v in rows)
    squared = (vectors**2).sum(axis=1)
    distances = np.sqrt(
        np.maximum(squared[:, None] + squared[None, :] - 2 * vectors @ vectors.T, 0)
    )
    medoid = int(np.argmin(distances.sum(axis=1)))
    order = np.argsort(distances[medoid], kind="stable")[:count]
    images = ActorImage.objects.in_bulk([ids[i] for i in order])
    return [images[ids[i]] for i in order if ids[i] in images]
