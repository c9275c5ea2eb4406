"""Reads for the review of new photos: pending faces beside the actor's typical approved ones."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q

from actors.models import Actor, ActorImage, FaceEmbedding
from face_engine import embeddings

from .selectors import typical_images

# dlib's own threshold: two faces closer than this are taken for the same person.
SAME_PERSON_DISTANCE = 0.6
TYPICAL_SHOWN = 3
PENDING_SHOWN_PER_ACTOR = 60

PENDING = ActorImage.Status.PENDING


@dataclass(frozen=True)
class PendingPhoto:
    image: ActorImage
    distances: list[float]  # to each typical face shown beside it, in their order

    @property
    def distance(self) -> float | None:
        """The mean distance to the typical faces; None when the actor has none approved."""
        return float(np.mean(self.distances)) if self.distances else None

    @property
    def unlike(self) -> bool:
        return self.distance is not None and self.distance >= SAME_PERSON_DISTANCE


@dataclass
class ReviewGroup:
    actor: Actor
    pending_total: int
    typical: list[ActorImage]
    photos: list[PendingPhoto] = field(default_factory=list)

    @property
    def not_shown(self) -> int:
        return self.pending_total - len(self.photos)


def actors_with_pending(actor_id: int | None = None):
    """Actors with photos waiting for review, most popular first, with how many wait."""
    actors = Actor.objects.annotate(
        pending_count=Count("images", filter=Q(images__status=PENDING))
    ).filter(pending_count__gt=0)
    if actor_id is not None:
        actors = actors.filter(pk=actor_id)
    return actors.order_by("-popularity", "name", "pk")


def pending_count() -> int:
    return ActorImage.objects.filter(status=PENDING).count()


def review_groups(actors: list[Actor]) -> list[ReviewGroup]:
    """For each actor (annotated by actors_with_pending): their oldest pending photos, each with
    its distance to the actor's most typical approved faces, which are shown beside them."""
    groups = []
    for actor in actors:
        typical = typical_images(actor.pk, count=TYPICAL_SHOWN)
        pending = list(
            ActorImage.objects.filter(actor=actor, status=PENDING).order_by("created_at", "pk")[
                :PENDING_SHOWN_PER_ACTOR
            ]
        )
        vectors = _vectors([image.pk for image in typical + pending])
        reference = np.array([vectors[image.pk] for image in typical if image.pk in vectors])
        group = ReviewGroup(actor=actor, pending_total=actor.pending_count, typical=typical)
        for image in pending:
            distances = []
            if image.pk in vectors and len(reference):
                distances = np.linalg.norm(reference - vectors[image.pk], axis=1).tolist()
            group.photos.append(PendingPhoto(image=image, distances=distances))
        groups.append(group)
    return groups


def _vectors(image_ids: list[int]) -> dict[int, np.ndarray]:
    rows = FaceEmbedding.objects.filter(image_id__in=image_ids).values_list("image_id", "vector")
    return {image_id: embeddings.unpack(vector) for image_id, vector in rows}
