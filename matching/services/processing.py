"""The worker's side of a visitor's match: find and match its faces, write its files and rows."""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from actors.models import Actor, ActorImage
from face_engine.crops import face_crop, jpeg_bytes
from face_engine.errors import FaceEngineError
from face_engine.images import load_image, to_jpeg
from face_engine.similarity import similarity_percent
from matching.models import Match, MatchFace, Resemblance
from matching.selectors import PhotoMatch, photo_match
from matching.services.claims import match_claim, match_fail
from matching.services.retention import schedule_file_deletion
from matching.share_card import share_card

log = logging.getLogger(__name__)
Status = Match.Status
GENERIC_FAILURE = "Something went wrong while matching this photo. Please try again."


def match_process(match_id: int, *, transient: tuple[type[Exception], ...] = ()) -> None:
    """Find and match the faces of a queued upload.

    Safe to run twice: a second run finds the match claimed or finished and does nothing. An
    exception of a `transient` type hands the match back for a retry while attempts remain.
    """
    if not match_claim(match_id):
        return
    match = Match.objects.get(pk=match_id)
    try:
        _process(match)
    except FaceEngineError as exc:
        match_fail(match_id, exc.code, exc.message)
    except transient:
        if match.attempts >= settings.LOOKALIKE_MATCH_ATTEMPTS:
            match_fail(match_id, "error", GENERIC_FAILURE)
        else:
            Match.objects.filter(pk=match_id).update(status=Status.QUEUED)
        raise
    except BaseException:
        match_fail(match_id, "error", GENERIC_FAILURE)
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


def _process(match: Match) -> None:
    data = _stored_photo(match)
    result = photo_match(data)
    Match.objects.filter(pk=match.pk).update(status=Status.MATCHING)

    # Files first, outside the transaction. The stored copy is our own EXIF-free JPEG, and the
    # face boxes are in its pixels.
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    face_pictures = [face_crop(picture, face.box) for face in result.faces]
    crops = [
        _replace_file(match.file_name(f"face-{position}"), jpeg_bytes(face_picture))
        for position, face_picture in enumerate(face_pictures)
    ]
    best = result.faces[0].matches[0]
    card = share_card(
        actor_name=best.actor,
        similarity=best.similarity,
        actor_face=_thumbnail(ActorImage.objects.filter(pk=best.closest_image).first()),
        visitor_face=face_pictures[0] if match.share_face else None,
    )
    share_name = _replace_file(match.file_name("share"), card)
    _record(match, result, crops, share_name)


def _record(match: Match, result: PhotoMatch, crops: list[str], share_name: str) -> None:
    with transaction.atomic():
        # The row lock orders this against a deletion or expiry of the same match: whichever
        # comes second sees what the first did.
        current = Match.objects.select_for_update().filter(pk=match.pk).first()
        if current is None or current.expired_at is not None:
            # Deleted (or expired) while the worker ran: its files go too.
            schedule_file_deletion(match.file_names_to_delete())
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
                crop=crops[position],
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
        Match.objects.filter(pk=match.pk).update(
            status=Status.DONE,
            faces_found=result.faces_found,
            index_version_id=result.index_version,
            share_image=share_name,
            finished_at=timezone.now(),
        )
