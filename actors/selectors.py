"""Reads of the catalogue."""

import numpy as np

from face_engine import embeddings
from face_engine.faces import ENCODER

from .models import ActorImage, FaceEmbedding


def active_embeddings() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vectors, image ids, actor ids) of every active image with a current embedding."""
    rows = (
        FaceEmbedding.objects.filter(image__status=ActorImage.Status.ACTIVE, encoder=ENCODER)
        .order_by("image_id")
        .values_list("image_id", "image__actor_id", "vector")
    )
    image_ids, actor_ids, vectors = [], [], []
    for image_id, actor_id, vector in rows.iterator(chunk_size=2000):
        image_ids.append(image_id)
        actor_ids.append(actor_id)
        vectors.append(vector)
    return (
        embeddings.unpack_many(vectors),
        np.asarray(image_ids, np.int64),
        np.asarray(actor_ids, np.int64),
    )


def approved_embeddings(actor) -> np.ndarray:
    """(n, 128) embeddings of the actor's active (approved) photos, (0, 128) if none."""
    rows = FaceEmbedding.objects.filter(
        image__actor=actor, image__status=ActorImage.Status.ACTIVE, encoder=ENCODER
    ).values_list("vector", flat=True)
    return embeddings.unpack_many(rows)
