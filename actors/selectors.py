"""Reads of the catalogue."""

import numpy as np

from matching.engine.faces import ENCODER

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
        vectors.append(np.frombuffer(bytes(vector), dtype=FaceEmbedding.DTYPE))
    if not image_ids:
        return np.empty((0, 128), np.float32), np.empty(0, np.int64), np.empty(0, np.int64)
    return np.stack(vectors), np.asarray(image_ids, np.int64), np.asarray(actor_ids, np.int64)
