"""Accepting a visitor's upload: check it, keep a re-encoded copy, queue it for the worker."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from common.request_limits import upload_too_large_message
from face_engine.errors import FaceEngineError, ImageTooLarge
from face_engine.images import load_image, read_header, to_jpeg
from matching.models import Match
from matching.services.claims import match_enqueue
from matching.services.retention import expiry_for

__all__ = ["UploadRejected", "match_create", "upload_too_large_message"]


class UploadRejected(Exception):
    """An upload we will not process, with a message for the visitor and an HTTP status."""

    def __init__(self, code: str, message: str, http_status: int = 400):
        super().__init__(message)
        self.code, self.message, self.http_status = code, message, http_status


def _refusal(exc: FaceEngineError) -> UploadRejected:
    return UploadRejected(exc.code, exc.message, 413 if isinstance(exc, ImageTooLarge) else 400)


def match_create(*, data: bytes, share_face: bool = False, owner=None, example: str = "") -> Match:
    """Check the photo from its header, keep an EXIF-free re-encoded copy and queue the match.

    The web request decodes a photo only when that costs at most LOOKALIKE_WEB_DECODE_MAX_PIXELS
    pixels (any JPEG, which decodes at a reduced scale, or a 12 MP HEIC); a bigger one is kept
    as sent, and the worker re-encodes it and deletes it at once. An account's uploads are
    private and kept; a visitor's are unlisted and expire. `example` is the slug of the example
    portrait the photo is, if it is one.
    """
    if len(data) > settings.LOOKALIKE_UPLOAD_MAX_BYTES:
        raise UploadRejected("too_large", upload_too_large_message(), 413)
    options = {
        "max_pixels": settings.LOOKALIKE_MAX_PIXELS,
        "working_size": settings.LOOKALIKE_STORED_PHOTO_SIZE,
        "allow_animation": False,
    }
    try:
        header = read_header(data, **options)
        image = None
        if header.decode_pixels <= settings.LOOKALIKE_WEB_DECODE_MAX_PIXELS:
            image = load_image(data, **options)
    except FaceEngineError as exc:
        raise _refusal(exc) from exc

    match = Match(
        share_face=share_face,
        owner=owner,
        example=example,
        visibility=Match.Visibility.PRIVATE if owner else Match.Visibility.UNLISTED,
        expires_at=expiry_for(owner),
    )
    # The file first, outside the transaction; removed again if the row cannot be written.
    if image is not None:
        match.photo_width, match.photo_height = image.working_size
        match.photo.name = default_storage.save(
            match.file_name("photo"), ContentFile(to_jpeg(image))
        )
        saved = match.photo.name
    else:
        match.original.name = default_storage.save(match.file_name("original"), ContentFile(data))
        saved = match.original.name
    try:
        with transaction.atomic():
            match.save()
            match_enqueue(match.pk)
    except BaseException:
        default_storage.delete(saved)
        raise
    match.refresh_from_db()  # tasks run in-process without a broker, and may have finished
    return match
