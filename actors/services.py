"""Writes to the actor catalogue: adding photos, with their face and embedding, and skips."""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from face_engine.crops import jpeg_bytes, loaded_face_crop
from face_engine.errors import FaceEngineError
from face_engine.faces import ENCODER, find_faces

from .models import Actor, ActorImage, FaceEmbedding, SkippedPhoto

# The formats the face engine reads (a multi-picture JPEG is a JPEG).
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
ATTRIBUTION_FILE = "attribution.csv"


@dataclass(frozen=True)
class PhotoImport:
    outcome: str  # "added", "skipped" or "present" (seen before, by its sha256)
    source: str
    image: ActorImage | None = None
    reason: str = ""


@dataclass(frozen=True)
class PhotoDetails:
    """Where a photo comes from, who may be credited and under what licence, and whether a
    curator must approve it before it is matched against."""

    origin: str = ActorImage.Origin.FOLDER
    attribution: str = ""
    licence: str = ""
    licence_url: str = ""
    source_page: str = ""
    film_title: str = ""
    film_year: int | None = None
    film_seconds: float | None = None
    review: bool = False  # arrive as pending

    def image_fields(self) -> dict:
        return {
            "origin": self.origin,
            "attribution": self.attribution,
            "licence": self.licence,
            "licence_url": self.licence_url,
            "source_page": self.source_page,
            "film_title": self.film_title,
            "film_year": self.film_year,
            "film_seconds": self.film_seconds,
            "status": ActorImage.Status.PENDING if self.review else ActorImage.Status.ACTIVE,
        }


def actor_get_or_create(name: str) -> Actor:
    actor = Actor.objects.filter(name=name).order_by("id").first()
    if actor is None:
        actor = Actor.objects.create(name=name, slug=Actor.unique_slug(name))
    return actor


def photo_skip(
    sha256: str | None, source: str, actor_name: str, reason: str, faces: int | None = None
) -> PhotoImport:
    """Record a photo an import did not add, with the reason; a download that failed has no
    sha256 and is recorded once per source address."""
    defaults = {"source": source, "actor_name": actor_name, "reason": reason, "faces_found": faces}
    if sha256:
        SkippedPhoto.objects.get_or_create(sha256=sha256, defaults=defaults)
    else:
        SkippedPhoto.objects.update_or_create(sha256=None, source=source, defaults=defaults)
    return PhotoImport("skipped", source, reason=reason)


def photo_import(
    *,
    actor_name: str = "",
    actor: Actor | None = None,
    data: bytes,
    source: str,
    attribution: str = "",
    details: PhotoDetails | None = None,
) -> PhotoImport:
    """Add one reference photo of an actor, unless it was seen before or has not exactly one face.

    The file is stored before the rows are written (no storage I/O inside the transaction) and
    removed again if the rows cannot be written, so nothing is left half-saved.
    """
    if actor is not None:
        actor_name = actor.name
    fields = (details or PhotoDetails()).image_fields()
    sha256 = hashlib.sha256(data).hexdigest()
    if (
        ActorImage.objects.filter(sha256=sha256).exists()
        or SkippedPhoto.objects.filter(sha256=sha256).exists()
    ):
        return PhotoImport("present", source)
    try:
        scan = find_faces(data, max_pixels=settings.LOOKALIKE_MAX_PIXELS)
    except FaceEngineError as exc:
        return photo_skip(sha256, source, actor_name, exc.message, None)
    if len(scan.faces) != 1:
        reason = (
            "no face found"
            if not scan.faces
            else f"{len(scan.faces)} faces found; a reference photo must show exactly one"
        )
        return photo_skip(sha256, source, actor_name, reason, len(scan.faces))

    face = scan.faces[0]
    extension = EXTENSIONS.get(scan.image.format or "", "img")
    name = f"actors/{sha256[:2]}/{sha256}.{extension}"
    stored_here = not default_storage.exists(name)
    if stored_here:
        name = default_storage.save(name, ContentFile(data))
    thumbnail = default_storage.save(
        f"actors/faces/{sha256[:2]}/{sha256}.jpg",
        ContentFile(jpeg_bytes(loaded_face_crop(scan.image, face.box))),
    )
    try:
        with transaction.atomic():
            width, height = scan.image.original_size
            top, right, bottom, left = face.box
            image = ActorImage.objects.create(
                actor=actor or actor_get_or_create(actor_name),
                file=name,
                face_thumbnail=thumbnail,
                sha256=sha256,
                width=width,
                height=height,
                source=source,
                **{**fields, "attribution": fields["attribution"] or attribution},
                face_top=top,
                face_right=right,
                face_bottom=bottom,
                face_left=left,
            )
            FaceEmbedding.objects.create(
                image=image, vector=FaceEmbedding.pack(face.encoding), encoder=ENCODER
            )
    except IntegrityError:
        # Another import stored the same photo between our check and our insert.
        default_storage.delete(thumbnail)
        if stored_here and not ActorImage.objects.filter(file=name).exists():
            default_storage.delete(name)
        return PhotoImport("present", source)
    except BaseException:
        default_storage.delete(thumbnail)
        if stored_here:
            default_storage.delete(name)
        raise
    return PhotoImport("added", source, image=image)


@dataclass
class ImportReport:
    """What an import of several photos did: added, already known, skipped with reasons."""

    added: int = 0
    present: int = 0
    skipped: list[PhotoImport] = field(default_factory=list)
    actors: set[str] = field(default_factory=set)

    def record(self, result: PhotoImport, actor_name: str) -> None:
        if result.outcome == "added":
            self.added += 1
            self.actors.add(actor_name)
        elif result.outcome == "present":
            self.present += 1
        else:
            self.skipped.append(result)

    @property
    def total(self) -> int:
        return self.added + self.present + len(self.skipped)


def gallery_photos(directory: Path) -> list[tuple[str, Path]]:
    """(actor name, photo path) for every file in every sub-folder, in a stable order."""
    photos = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        name = Actor.name_from_folder(folder.name)
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                photos.append((name, path))
    return photos


def gallery_attributions(directory: Path) -> dict[str, str]:
    """Per-actor credits from an optional attribution.csv (columns: folder, attribution)."""
    path = directory / ATTRIBUTION_FILE
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            Actor.name_from_folder(row["folder"]): row["attribution"].strip()
            for row in csv.DictReader(handle)
        }


def gallery_import(
    directory: str | os.PathLike,
    *,
    attribution: str = "",
    on_photo: Callable[[PhotoImport], None] | None = None,
) -> ImportReport:
    """Import a folder holding one sub-folder of photos per actor (Barack_Obama/1.jpg, ...)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a directory")
    credits = gallery_attributions(directory)
    report = ImportReport()
    for actor_name, path in gallery_photos(directory):
        result = photo_import(
            actor_name=actor_name,
            data=path.read_bytes(),
            source=str(path),
            attribution=credits.get(actor_name, attribution),
        )
        report.record(result, actor_name)
        if on_photo:
            on_photo(result)
    return report
