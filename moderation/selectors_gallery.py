"""Reads for an actor's page: every photo of the actor, how far each sits from the actor's
other photos, its flags, and what curators did to them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q

from actors.models import Actor, ActorImage, FaceEmbedding
from face_engine import embeddings
from face_engine.faces import ENCODER

from .models import AuditEntry, Flag
from .suspects_engine import FLAG_THRESHOLD


@dataclass(frozen=True)
class GalleryPhoto:
    image: ActorImage  # annotated with open_flags and resolved_flags
    distance: float | None  # from the actor's centre; None without an embedding or a centre
    spread: float | None  # the actor's usual distance from that centre

    @property
    def outlier(self) -> bool:
        """Far beyond the actor's usual distance: the suspects check's second term (how far
        beyond its actor's usual distance a photo sits) reaches the flagging threshold."""
        if self.distance is None or self.spread is None:
            return False
        return self.distance - self.spread >= FLAG_THRESHOLD


@dataclass(frozen=True)
class Gallery:
    actor: Actor
    photos: list[GalleryPhoto]  # farthest from the centre first
    centre_image_id: int | None
    spread: float | None

    @property
    def outliers(self) -> int:
        return sum(1 for photo in self.photos if photo.outlier)

    def count(self, status: str) -> int:
        return sum(1 for photo in self.photos if photo.image.status == status)


def _centre(vectors: np.ndarray) -> tuple[int, np.ndarray]:
    """The medoid of the vectors (as in suspects_engine) and every vector's distance to it."""
    squared = (vectors.astype(np.float64) ** 2).sum(axis=1)
    pairwise = squared[:, None] + squared[None, :] - 2 * vectors @ vectors.T
    distances = np.sqrt(np.maximum(pairwise, 0))
    medoid = int(np.argmin(distances.sum(axis=1)))
    return medoid, distances[medoid]


def actor_gallery(actor: Actor) -> Gallery:
    """Every photo of the actor, whatever its status. The centre is the medoid of the actor's
    active photos; every photo with an embedding (active, flagged, excluded, pending...) gets its
    distance from it, so a curator sees which ones look like someone else."""
    images = list(
        ActorImage.objects.filter(actor=actor).annotate(
            open_flags=Count("flags", filter=Q(flags__status=Flag.Status.OPEN)),
            resolved_flags=Count("flags", filter=~Q(flags__status=Flag.Status.OPEN)),
        )
    )
    rows = dict(
        FaceEmbedding.objects.filter(image__actor=actor, encoder=ENCODER).values_list(
            "image_id", "vector"
        )
    )
    active_ids = [i.pk for i in images if i.status == ActorImage.Status.ACTIVE and i.pk in rows]
    centre_id, spread, centre = None, None, None
    if active_ids:
        vectors = embeddings.unpack_many(rows[pk] for pk in active_ids)
        medoid, to_centre = _centre(vectors)
        centre_id, centre = active_ids[medoid], vectors[medoid].astype(np.float64)
        others = np.delete(to_centre, medoid)
        spread = float(np.median(others)) if len(others) else None

    def distance(image):
        if centre is None or image.pk not in rows:
            return None
        return float(np.linalg.norm(embeddings.unpack(rows[image.pk]) - centre))

    photos = [GalleryPhoto(image, distance(image), spread) for image in images]
    photos.sort(key=lambda p: (p.distance is None, -(p.distance or 0), p.image.pk))
    return Gallery(actor=actor, photos=photos, centre_image_id=centre_id, spread=spread)


ACTIONS = {
    "flag": "flagged",
    "exclude": "excluded",
    "restore": "restored",
    "confirm": "confirmed the flag on",
    "dismiss": "dismissed the flag on",
    "move": "moved",
    "approve": "approved",
    "reject": "rejected",
}


@dataclass(frozen=True)
class HistoryLine:
    entry: AuditEntry
    text: str


def _describe(entry: AuditEntry) -> str:
    verb = ACTIONS.get(entry.action, entry.action)
    text = f"{entry.username} {verb} photo #{entry.image_id}"
    before, after = entry.before or {}, entry.after or {}
    if before.get("actor") and after.get("actor") and before["actor"] != after["actor"]:
        text += f" from {before['actor']} to {after['actor']}"
    if before.get("status") and after.get("status") and before["status"] != after["status"]:
        labels = dict(ActorImage.Status.choices)
        old, new = (labels.get(s, s) for s in (before["status"], after["status"]))
        text += f" ({old.lower()} → {new.lower()})"
    return text


def actor_history(actor: Actor, limit: int = 100) -> list[HistoryLine]:
    """What curators did to the actor's photos (and to photos moved away from the actor),
    newest first, one readable line each."""
    entries = (
        AuditEntry.objects.filter(Q(image__actor=actor) | Q(before__actor_id=actor.pk))
        .select_related("image")
        .order_by("-created_at", "-id")[:limit]
    )
    return [HistoryLine(entry, _describe(entry)) for entry in entries]
