"""The worker's side of a visitor's match: find and match its faces, write its files and rows."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image, ImageOps

from actors.models import Actor, ActorImage
from face_engine.crops import crop_box, face_crop, holds_crop, jpeg_bytes, loaded_face_crop
from face_engine.errors import FaceEngineError
from face_engine.images import load_image, to_jpeg
from face_engine.similarity import similarity_percent
from matching.models import Match, MatchFace, Resemblance
from matching.selectors import PhotoMatch, photo_match
from matching.services.claims import match_claim, match_fail, match_release
from matching.services.heartbeat import Heartbeat
from matching.services.retention import schedule_file_deletion
from matching.share_card import (
    LARGEST_PORTRAIT,
    card_lines,
    credit_line,
    share_card,
    story_card,
)

log = logging.getLogger(__name__)
Status = Match.Status
GENERIC_FAILURE = "Something went wrong while matching this photo. Please try again."


def match_process(match_id: int, *, transient: tuple[type[Exception], ...] = ()) -> None:
    """Find and match the faces of a queued upload.

    Safe to run twice: a second run finds the match finished and does nothing, or finds it held
    by a live run and raises MatchHeld (try again later), or takes over a run that is gone. An
    exception of a `transient` type hands the match back and is raised again for a retry while
    attempts remain; on the last attempt the match is failed instead.
    """
    if not match_claim(match_id):
        return
    match = Match.objects.get(pk=match_id)
    try:
        with Heartbeat(match_id):
            _process(match)
    except FaceEngineError as exc:
        match_fail(match_id, exc.code, exc.message)
        _delete_files_if_gone(match)
    except transient:
        if match.attempts >= settings.LOOKALIKE_MATCH_ATTEMPTS:
            log.exception("match %s failed on its last attempt", match_id)
            match_fail(match_id, "error", GENERIC_FAILURE)
            _delete_files_if_gone(match)
            return
        if not connection.in_atomic_block:
            # After a database outage, hand back on a fresh connection, not the broken one.
            connection.close_if_unusable_or_obsolete()
        match_release(match_id)
        _delete_files_if_gone(match)
        raise
    except BaseException:
        match_fail(match_id, "error", GENERIC_FAILURE)
        _delete_files_if_gone(match)
        raise


def _replace_file(name: str, content: bytes) -> str:
    # Fixed names, so a rerun replaces its files rather than piling up new ones.
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _stored_photo(match: Match) -> bytes:
    """The match's EXIF-free stored copy, made now from the upload if the web request left the
    re-encoding to the worker; the upload as sent is deleted as soon as the copy exists."""
    if not match.original:
        with default_storage.open(match.photo.name, "rb") as handle:
            return handle.read()
    with default_storage.open(match.original.name, "rb") as handle:
        original = handle.read()
    try:
        image = load_image(
            original,
            max_pixels=settings.LOOKALIKE_MAX_PIXELS,
            working_size=settings.LOOKALIKE_STORED_PHOTO_SIZE,
            allow_animation=False,
        )
    except FaceEngineError:
        # Damage that only decoding shows: the match fails, and the upload as sent goes too.
        Match.objects.filter(pk=match.pk).update(original="")
        default_storage.delete(match.original.name)
        raise
    data = to_jpeg(image)
    photo = _replace_file(match.file_name("photo"), data)
    width, height = image.working_size
    Match.objects.filter(pk=match.pk).update(
        photo=photo, photo_width=width, photo_height=height, original=""
    )
    default_storage.delete(match.original.name)
    match.photo.name, match.original.name = photo, ""
    return data


def _thumbnail(image: ActorImage | None) -> Image.Image | None:
    if image is None or not image.face_thumbnail:
        return None
    try:
        with default_storage.open(image.face_thumbnail.name, "rb") as handle:
            return Image.open(io.BytesIO(handle.read())).convert("RGB")
    except (OSError, ValueError):
        log.warning("reference thumbnail of image %s is unreadable", image.pk)
        return None


REFERENCE_MARGIN = 0.3


def _reference_face(image: ActorImage | None) -> Image.Image | None:
    """The actor's face for a share picture, cut from the reference photo itself (sharper than
    its thumbnail) with a tight margin, so a neighbour in the photo stays out; the thumbnail
    when the photo cannot be read. A big JPEG is decoded at the smallest scale that still gives
    the face its full size on the picture."""
    if image is None:
        return None
    try:
        with default_storage.open(image.file.name, "rb") as handle:
            picture = Image.open(io.BytesIO(handle.read()))
            stored_width, stored_height = picture.size
            top, right, bottom, left = image.face_box
            side = max(bottom - top, right - left) * (1 + 2 * REFERENCE_MARGIN)
            reduction = int(min(8, side // LARGEST_PORTRAIT))
            if reduction > 1:
                size = (stored_width // reduction, stored_height // reduction)
                picture.draft(picture.mode, size)
            scale = picture.size[0] / stored_width
            picture = ImageOps.exif_transpose(picture).convert("RGB")
    except (OSError, ValueError):
        log.warning("reference photo of image %s is unreadable", image.pk)
        return _thumbnail(image)
    box = tuple(round(v * scale) for v in image.face_box)
    return picture.crop(crop_box(box, picture.width, picture.height, margin=REFERENCE_MARGIN))


def _face_pictures(data: bytes, result: PhotoMatch) -> list[Image.Image]:
    """Each face's square crop: from the copy the faces were found on where it holds enough
    pixels (a portrait's face), else from the stored copy, decoded only then (small faces)."""
    stored = None
    pictures = []
    for face in result.faces:
        if holds_crop(result.image, face.box):
            pictures.append(loaded_face_crop(result.image, face.box))
            continue
        if stored is None:
            stored = Image.open(io.BytesIO(data)).convert("RGB")
        pictures.append(face_crop(stored, face.box))
    return pictures


@dataclass
class Written:
    """The files a run wrote, by face."""

    crops: list[str]
    shares: list[str]
    stories: list[str]

    def names(self) -> list[str]:
        return [*self.crops, *self.shares, *self.stories]


def _process(match: Match) -> None:
    data = _stored_photo(match)
    result = photo_match(data)
    Match.objects.filter(pk=match.pk).update(status=Status.MATCHING)
    written = _write_files(match, data, result)
    _record(match, result, written)


def _write_files(match: Match, data: bytes, result: PhotoMatch) -> Written:
    """The face crops and each face's share and story pictures, written before (and outside)
    the transaction that records them. The stored copy is our own EXIF-free JPEG; the boxes
    are in its pixels."""
    face_pictures = _face_pictures(data, result)
    written = Written(
        crops=[
            _replace_file(match.file_name(f"face-{position}"), jpeg_bytes(face_picture))
            for position, face_picture in enumerate(face_pictures)
        ],
        shares=[],
        stories=[],
    )
    references = ActorImage.objects.in_bulk(
        {face.matches[0].closest_image for face in result.faces if face.matches}
    )
    for position, (face, face_picture) in enumerate(zip(result.faces, face_pictures, strict=True)):
        if not face.matches:
            written.shares.append("")
            written.stories.append("")
            continue
        best = face.matches[0]
        reference = references.get(best.closest_image)
        visitor_face = face_picture if match.share_face else None
        lines = card_lines(
            actor_name=best.actor,
            similarity=best.similarity,
            weak=best.similarity < settings.LOOKALIKE_WEAK_SIMILARITY,
            with_face=visitor_face is not None,
        )
        drawn = {
            "lines": lines,
            "actor_face": _reference_face(reference),
            "visitor_face": visitor_face,
            "credit": credit_line(reference),
        }
        written.shares.append(
            _replace_file(match.file_name(f"share-{position}"), share_card(**drawn))
        )
        written.stories.append(
            _replace_file(match.file_name(f"story-{position}"), story_card(**drawn))
        )
    return written


def _record(match: Match, result: PhotoMatch, written: Written) -> None:
    with transaction.atomic():
        if _files_of_gone_match_scheduled(match, written.names()):
            return
        hits = [hit for face in result.faces for hit in face.matches]
        # Actors and photos deleted since the search are shown by name only.
        actors = set(
            Actor.objects.filter(pk__in={h.actor_id for h in hits}).values_list("pk", flat=True)
        )
        images = ActorImage.objects.in_bulk({h.closest_image for h in hits})
        MatchFace.objects.filter(match=match).delete()
        for position, face in enumerate(result.faces):
            top, right, bottom, left = face.box
            row = MatchFace.objects.create(
                match=match,
                position=position,
                top=top,
                right=right,
                bottom=bottom,
                left=left,
                crop=written.crops[position],
                share_image=written.shares[position],
                story_image=written.stories[position],
            )
            Resemblance.objects.bulk_create(
                Resemblance(
                    face=row,
                    rank=rank,
                    actor_id=hit.actor_id if hit.actor_id in actors else None,
                    actor_name=hit.actor,
                    reference_image=images.get(hit.closest_image),
                    reference_image_id_shown=hit.closest_image,
                    distance=hit.distance,
                    similarity=similarity_percent(hit.distance),
                )
                for rank, hit in enumerate(face.matches, 1)
            )
        dropped = {}
        if len(result.faces) <= 1 and match.photo:
            # One face: its crop says all the page shows, so the photo goes now. A group photo
            # stays while the result exists, for the page to show it with numbered boxes.
            schedule_file_deletion([match.photo.name])
            dropped = {"photo": ""}
        Match.objects.filter(pk=match.pk).update(
            status=Status.DONE,
            faces_found=result.faces_found,
            index_version_id=result.index_version,
            share_image=written.shares[0] if written.shares else "",
            finished_at=timezone.now(),
            **dropped,
        )


def _files_of_gone_match_scheduled(match: Match, written: Iterable[str] = ()) -> bool:
    """If the match was deleted or expired while this run worked on it, schedule every file it
    has or this run wrote for deletion, and say so. Inside a transaction: the row lock orders
    this against the deletion or expiry, so whichever comes second sees what the first did."""
    current = Match.objects.select_for_update().filter(pk=match.pk).first()
    if current is not None and current.expired_at is None:
        return False
    # The names the deletion listed, and any other name storage gave this run's files.
    schedule_file_deletion(list(dict.fromkeys([*match.file_names_to_delete(), *written])))
    return True


def _delete_files_if_gone(match: Match) -> None:
    """After a failed run: files it wrote for a match deleted meanwhile would have no row left
    pointing at them, so nothing else would ever remove them."""
    try:
        with transaction.atomic():
            _files_of_gone_match_scheduled(match)
    except Exception:
        # The run's own failure is the one to report (the database may be what failed).
        log.exception("could not check whether match %s was deleted during its run", match.pk)
