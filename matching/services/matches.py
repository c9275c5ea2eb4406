"""Writes for a visitor's match: accept the upload, then find, match and record its faces."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image

from actors.models import Actor, ActorImage
from matching.active_index import active_index
from matching.engine.crops import face_crop, jpeg_bytes
from matching.engine.errors import FaceEngineError, ImageTooLarge, NoFaceFound
from matching.engine.faces import find_faces
from matching.engine.images import load_image, to_jpeg
from matching.engine.similarity import similarity_percent
from matching.models import Match, MatchFace, Resemblance, new_token
from matching.services.retention import expiry_for
from matching.share_card import share_card

log = logging.getLogger(__name__)
Status = Match.Status
GENERIC_FAILURE = "Something went wrong while matching this photo. Please try again."


class UploadRejected(Exception):
    """An upload we will not process, with a message for the visitor and an HTTP status."""

    def __init__(self, code: str, message: str, http_status: int = 400):
        super().__init__(message)
        self.code, self.message, self.http_status = code, message, http_status


def upload_too_large_message() -> str:
    megabytes = settings.LOOKALIKE_UPLOAD_MAX_BYTES / 1_000_000
    return f"This file is over {megabytes:g} MB. Please upload a smaller photo."


def match_create(*, data: bytes, share_face: bool = False, owner=None) -> Match:
    """Keep a re-encoded copy of the photo (no EXIF, never the original bytes) and queue it.

    An account's uploads are private and kept; a visitor's are unlisted and expire.
    """
    if len(data) > settings.LOOKALIKE_UPLOAD_MAX_BYTES:
        raise UploadRejected("too_large", upload_too_large_message(), 413)
    try:
        image = load_image(
            data,
            max_pixels=settings.LOOKALIKE_MAX_PIXELS,
            working_size=settings.LOOKALIKE_STORED_PHOTO_SIZE,
            allow_animation=False,
        )
    except ImageTooLarge as exc:
        raise UploadRejected(exc.code, exc.message, 413) from exc
    except FaceEngineError as exc:
        raise UploadRejected(exc.code, exc.message) from exc

    from matching.tasks import match_run

    token = new_token()
    name = default_storage.save(f"matches/{token}.jpg", ContentFile(to_jpeg(image)))
    width, height = image.working_size
    try:
        with transaction.atomic():
            match = Match.objects.create(
                token=token,
                photo=name,
                photo_width=width,
                photo_height=height,
                share_face=share_face,
                owner=owner,
                visibility=Match.Visibility.PRIVATE if owner else Match.Visibility.UNLISTED,
                expires_at=expiry_for(owner),
            )
            transaction.on_commit(lambda: match_run.delay(match.pk))
    except BaseException:
        default_storage.delete(name)
        raise
    match.refresh_from_db()  # tasks run in-process without a broker, and may have finished
    return match


def _claim(match_id: int) -> bool:
    """Take the match for this run; a run that died mid-way is taken over once it is stale."""
    stale = timezone.now() - timedelta(seconds=settings.LOOKALIKE_MATCH_TIME_LIMIT + 60)
    in_progress = Q(status__in=[Status.FINDING_FACES, Status.MATCHING], started_at__lt=stale)
    return bool(
        Match.objects.filter(Q(status=Status.QUEUED) | in_progress, pk=match_id).update(
            status=Status.FINDING_FACES, started_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def _fail(match_id: int, code: str, message: str) -> None:
    Match.objects.filter(pk=match_id).update(
        status=Status.FAILED, error_code=code, error_message=message, finished_at=timezone.now()
    )


def _replace_file(name: str, content: bytes) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _thumbnail(image: ActorImage | None) -> Image.Image | None:
    if image is None or not image.face_thumbnail:
        return None
    try:
        with default_storage.open(image.face_thumbnail.name, "rb") as handle:
            return Image.open(io.BytesIO(handle.read())).convert("RGB")
    except (OSError, ValueError):
        log.warning("reference thumbnail of image %s is unreadable", image.pk)
        return None


def match_process(match_id: int, *, transient: tuple[type[Exception], ...] = ()) -> None:
    """Find and match the faces of a queued upload.

    Safe to run twice: a second run finds the match claimed or finished and does nothing. An
    exception of a `transient` type hands the match back for a retry while attempts remain.
    """
    if not _claim(match_id):
        return
    match = Match.objects.get(pk=match_id)
    try:
        _process(match)
    except FaceEngineError as exc:
        _fail(match_id, exc.code, exc.message)
    except transient:
        if match.attempts >= settings.LOOKALIKE_MATCH_ATTEMPTS:
            _fail(match_id, "error", GENERIC_FAILURE)
        else:
            Match.objects.filter(pk=match_id).update(status=Status.QUEUED)
        raise
    except BaseException:
        _fail(match_id, "error", GENERIC_FAILURE)
        raise


def _process(match: Match) -> None:
    with default_storage.open(match.photo.name, "rb") as handle:
        data = handle.read()
    loaded = active_index()
    scan = find_faces(data, max_faces=settings.LOOKALIKE_MAX_FACES)
    if not scan.faces:
        raise NoFaceFound()
    Match.objects.filter(pk=match.pk).update(status=Status.MATCHING)

    hits = [
        loaded.index.search(face.encoding, top=settings.LOOKALIKE_TOP_ACTORS) for face in scan.faces
    ]
    actor_ids = {hit.actor_id for face_hits in hits for hit in face_hits}
    image_ids = {hit.item_id for face_hits in hits for hit in face_hits}
    actors = Actor.objects.in_bulk(actor_ids)
    images = ActorImage.objects.in_bulk(image_ids)

    # Files first, outside the transaction; names are fixed so a rerun replaces, not piles up.
    # The stored copy is our own EXIF-free JPEG, and the face boxes are in its pixels.
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    face_pictures = [face_crop(picture, face.box) for face in scan.faces]
    crops = [
        _replace_file(f"faces/{match.token}/{position}.jpg", jpeg_bytes(face_picture))
        for position, face_picture in enumerate(face_pictures)
    ]
    best = hits[0][0]
    card = share_card(
        actor_name=actors[best.actor_id].name if best.actor_id in actors else "",
        similarity=similarity_percent(best.distance),
        actor_face=_thumbnail(images.get(best.item_id)),
        visitor_face=face_pictures[0] if match.share_face else None,
    )
    share_name = _replace_file(f"shares/{match.token}.jpg", card)

    with transaction.atomic():
        MatchFace.objects.filter(match=match).delete()
        for position, (face, face_hits) in enumerate(zip(scan.faces, hits, strict=True)):
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
                    actor=actors.get(hit.actor_id),
                    actor_name=actors[hit.actor_id].name if hit.actor_id in actors else "",
                    reference_image=images.get(hit.item_id),
                    reference_image_id_shown=hit.item_id,
                    distance=hit.distance,
                    similarity=similarity_percent(hit.distance),
                )
                for rank, hit in enumerate(face_hits, 1)
            )
        Match.objects.filter(pk=match.pk).update(
            status=Status.DONE,
            faces_found=scan.faces_found,
            index_version_id=loaded.version_id,
            share_image=share_name,
            finished_at=timezone.now(),
        )
