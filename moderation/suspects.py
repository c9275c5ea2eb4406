"""Catalogue photos that may be filed under the wrong actor: the suspects engine over the database.

Reads only. Opening flags for the suspects is the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass

from actors.models import Actor, ActorImage
from actors.selectors import active_embeddings

from .suspects_engine import FLAG_THRESHOLD, Suspect, clearest, score_outliers


@dataclass(frozen=True)
class ImageSuspect:
    image: ActorImage  # with its actor loaded
    score: float  # higher is more suspicious; see suspects_engine for the formula
    other_actor: Actor | None  # the actor whose centre the photo is nearest to, after its own
    figures: Suspect  # the engine's distances behind the score

    @property
    def actor_name(self) -> str:
        return self.image.actor.name

    @property
    def source(self) -> str:
        return self.image.source


@dataclass(frozen=True)
class SuspectCheck:
    suspects: list[ImageSuspect]
    photos: int  # active photos looked at
    judged: int  # of which belong to actors with enough photos to be judged
    threshold: float | None


def suspects_find(*, threshold: float | None = FLAG_THRESHOLD) -> list[ImageSuspect]:
    """Active photos whose score reaches `threshold`, most suspicious first.

    threshold=None returns every photo the engine could judge (actors with at least MIN_PHOTOS
    active photos). Only active images count: a photo already flagged or excluded is neither
    judged nor part of its actor's centre.
    """
    return suspects_check(threshold=threshold).suspects


def suspects_check(*, threshold: float | None = FLAG_THRESHOLD) -> SuspectCheck:
    """suspects_find, with how many photos were looked at and judged."""
    vectors, image_ids, actor_ids = active_embeddings()
    scored = score_outliers(vectors, actor_ids, image_ids)
    chosen = scored if threshold is None else clearest(scored, threshold)
    images = ActorImage.objects.select_related("actor").in_bulk([s.item_id for s in chosen])
    other_actors = Actor.objects.in_bulk({s.other_actor_id for s in chosen} - {None})
    suspects = [
        ImageSuspect(
            image=images[s.item_id],
            score=s.score,
            other_actor=other_actors.get(s.other_actor_id),
            figures=s,
        )
        for s in chosen
        if s.item_id in images  # deleted since the embeddings were read
    ]
    return SuspectCheck(suspects, photos=len(image_ids), judged=len(scored), threshold=threshold)
