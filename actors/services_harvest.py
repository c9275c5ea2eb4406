"""Writes to the catalogue from a film: faces of one actor taken from its frames, for review.

The video is read and every face chosen before anything is written (the slow part, outside any
transaction); each chosen face is then stored as its crop through `photo_import`, like any other
photo: the crop is checked to show exactly one face, encoded from the stored file itself, and
skipped if stored before (same bytes, so a second run of the same harvest adds nothing). Film
frames always arrive pending: no harvested face is matched against before a curator approves it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from face_engine.harvest import Choice, at_most, by_cluster, by_reference
from face_engine.video import FrameFaces, video_frames

from .models import Actor, ActorImage, SkippedPhoto
from .selectors import approved_embeddings
from .services import PhotoDetails, photo_import

IMDB_ID = re.compile(r"^nm\d{7,10}$")


class ActorNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Film:
    title: str = ""
    year: int | None = None


@dataclass(frozen=True)
class HarvestedFace:
    outcome: str  # "added", "present" (stored before) or "skipped"
    time: float
    distance: float
    image_id: int | None = None
    reason: str = ""


@dataclass
class Harvest:
    actor: Actor
    method: str  # "reference" (near the actor's approved photos) or "cluster"
    frames_read: int = 0
    faces_found: int = 0
    faces: list[HarvestedFace] = field(default_factory=list)
    note: str = ""

    @property
    def kept(self) -> list[HarvestedFace]:
        return [f for f in self.faces if f.outcome != "skipped"]

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.faces if f.outcome == outcome)


def actor_find(name_or_imdb_id: str) -> Actor:
    """The actor with this IMDb id (nm0000123) or exactly this name (any case)."""
    value = name_or_imdb_id.strip()
    if IMDB_ID.match(value):
        actor = Actor.objects.filter(imdb_id=value).first()
        if actor is None:
            raise ActorNotFound(f"No actor with IMDb id {value} in the catalogue.")
        return actor
    actors = list(Actor.objects.filter(name__iexact=value).order_by("id")[:5])
    if not actors:
        raise ActorNotFound(
            f'No actor named "{value}" in the catalogue; add them first (import_imdb or '
            "import_gallery), or give their IMDb id."
        )
    if len(actors) > 1:
        ids = ", ".join(a.imdb_id or f"#{a.pk} (no IMDb id)" for a in actors)
        raise ActorNotFound(f'Several actors are named "{value}": {ids}. Give the IMDb id.')
    return actors[0]


def faces_choose(actor: Actor, frames: list[FrameFaces], max_faces: int | None) -> Choice:
    faces = [face for frame in frames for face in frame.faces]
    references = approved_embeddings(actor)
    choice = by_reference(faces, references) if len(references) else by_cluster(faces)
    return at_most(choice, max_faces)


def video_harvest(
    path: str | Path,
    actor: Actor,
    *,
    times: list[float],
    film: Film = Film(),
    max_faces: int | None = None,
    on_frame: Callable[[FrameFaces], None] | None = None,
) -> Harvest:
    """Read the video's frames at `times` (seconds), choose the actor's faces among their faces
    and store them, pending review.

    Raises NotAVideo, also for a video damaged where it is read: then nothing is stored.
    """
    path = Path(path)
    frames = []
    for frame in video_frames(path, times):
        frames.append(frame)
        if on_frame:
            on_frame(frame)
    choice = faces_choose(actor, frames, max_faces)
    harvest = Harvest(
        actor=actor,
        method=choice.method,
        frames_read=len(frames),
        faces_found=sum(len(frame.faces) for frame in frames),
        note=choice.note,
    )
    title = film.title
    credit = f"Still from {title}" + (f" ({film.year})" if film.year else "") if title else ""
    for chosen in choice.faces:
        seconds = chosen.face.time
        result = photo_import(
            actor=actor,
            data=chosen.face.crop,
            source=f"{path}#t={seconds:g}",
            details=PhotoDetails(
                origin=ActorImage.Origin.FILM,
                attribution=credit,
                film_title=title,
                film_year=film.year,
                film_seconds=seconds,
                review=True,
            ),
        )
        outcome, reason = result.outcome, result.reason
        image_id = result.image.pk if result.image else None
        if outcome == "present":
            image_id = _stored_id(chosen.face.crop)
            if image_id is None:
                outcome, reason = "skipped", _skip_reason(chosen.face.crop)
        harvest.faces.append(HarvestedFace(outcome, seconds, chosen.distance, image_id, reason))
    return harvest


def _stored_id(data: bytes) -> int | None:
    sha256 = hashlib.sha256(data).hexdigest()
    return ActorImage.objects.filter(sha256=sha256).values_list("pk", flat=True).first()


def _skip_reason(data: bytes) -> str:
    sha256 = hashlib.sha256(data).hexdigest()
    return SkippedPhoto.objects.filter(sha256=sha256).values_list("reason", flat=True).first() or ""
