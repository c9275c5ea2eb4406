"""The worker's side of a visitor's match: find and match its faces, write its files and rows."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from actors.models import Actor, ActorImage
from face_engine.crops import face_crop, jpeg_bytes
from face_engine.errors import FaceEngineError
from face_engine.images import load_image, to_jpeg
from face_engine.similarity import similarity_percent
from matching.models import Match, MatchFace, Resemblance
from matching.selectors import PhotoMatch, photo_match
from matching.services.claims import match_claim, match_fail, match_release
from matching.services.heartbeat import Heartbeat
from matching.services.retention import schedule_file_deletion
from matching.share_card import share_card

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


def _process(match: Match) -> None:
    data = _stored_photo(match)
    result = photo_match(data)
    Match.objects.filter(pk=match.pk).update(status=Status.MATCHING)
    crops, share_name = _write_files(match, data, result)
    _record(match, result, crops, share_name)


def _write_files(match: Match, data: bytes, result: PhotoMatch) -> tuple[list[str], str]:
    """The face crops and the share picture, written before (and outside) the transaction
    that records them. The stored copy is our own EXIF-free JPEG; the boxes are in its pixels."""
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
    return crops, _replace_file(match.file_name("share"), card)


def _record(match: Match, result: PhotoMatch, crops: list[str], share_name: str) -> None:
    with transaction.atomic():
        if _files_of_gone_match_scheduled(match, [*crops, share_name]):
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
