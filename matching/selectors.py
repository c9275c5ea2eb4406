"""Reads for matching: which actors a photo's faces resemble."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch

from actors.models import Actor
from matching.engine.faces import Box, find_faces
from matching.engine.similarity import similarity_percent

from .active_index import active_index
from .models import Match, MatchFace, Resemblance


@dataclass(frozen=True)
class ActorMatch:
    actor_id: int
    actor: str
    distance: float
    similarity: float
    closest_image: int

    def as_dict(self) -> dict:
        return {
            "actor": self.actor,
            "distance": round(self.distance, 4),
            "similarity": self.similarity,
            "closest_image": self.closest_image,
        }


@dataclass(frozen=True)
class FaceMatch:
    box: Box
    matches: list[ActorMatch]

    def as_dict(self) -> dict:
        return {"box": list(self.box), "matches": [m.as_dict() for m in self.matches]}


@dataclass(frozen=True)
class PhotoMatch:
    index_version: int
    faces: list[FaceMatch]  # biggest face first


def photo_match(data: bytes, *, top: int = 3, max_faces: int | None = None) -> PhotoMatch:
    """Match every face in a photo against the active index.

    Raises the face engine's typed errors (NotAnImage, ImageTooLarge, NoFaceFound) and
    NoActiveIndex.
    """
    loaded = active_index()
    scan = find_faces(
        data, max_faces=max_faces, max_pixels=settings.LOOKALIKE_MAX_PIXELS, require_face=True
    )
    hits = [loaded.index.search(face.encoding, top=top) for face in scan.faces]
    names = Actor.objects.in_bulk({hit.actor_id for face_hits in hits for hit in face_hits})
    faces = [
        FaceMatch(
            box=face.box,
            matches=[
                ActorMatch(
                    actor_id=hit.actor_id,
                    actor=names[hit.actor_id].name if hit.actor_id in names else "(removed actor)",
                    distance=hit.distance,
                    similarity=similarity_percent(hit.distance),
                    closest_image=hit.item_id,
                )
                for hit in face_hits
            ],
        )
        for face, face_hits in zip(scan.faces, hits, strict=True)
    ]
    return PhotoMatch(index_version=loaded.version_id, faces=faces)


def match_page_context(match, selected: str | None) -> dict:
    """What a results page shows: every face (biggest first), one of them in detail."""
    faces = list(
        MatchFace.objects.filter(match=match)
        .order_by("position")
        .prefetch_related("resemblances__reference_image")
    )
    try:
        position = max(0, min(int(selected or 0), len(faces) - 1))
    except ValueError:
        position = 0
    face = faces[position] if faces else None
    resemblances = list(face.resemblances.all()) if face else []
    best = resemblances[0] if resemblances else None
    return {
        "match": match,
        "faces": faces,
        "face": face,
        "resemblances": resemblances,
        "best": best,
        "weak": best is not None and best.similarity < settings.LOOKALIKE_WEAK_SIMILARITY,
        "faces_not_shown": max(0, match.faces_found - len(faces)),
    }


def matches_of(user):
    """A person's uploads, newest first, with what the list shows prefetched."""
    first_face = MatchFace.objects.filter(position=0).prefetch_related(
        Prefetch("resemblances", queryset=Resemblance.objects.filter(rank=1))
    )
    return (
        Match.objects.filter(owner=user)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("faces", queryset=first_face))
    )
