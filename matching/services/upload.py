"""Accepting a visitor's upload: check it, keep a re-encoded copy, queue it for the worker."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from common.request_limits import upload_too_large_message
from face_engine.errors import FaceEngineError, ImageTooLarge
from face_engine.images import load_image, to_jpeg
from matching.models import Match
from matching.services.claims import match_enqueue
from matching.services.retention import expiry_for

__all__ = ["UploadRejected", "match_create", "upload_too_large_message"]


class UploadRejected(Exception):
    """An upload we will not process, with a message for the visitor and an HTTP status."""

    def __init__(self, code: str, message: str, http_status: int = 400):
        super().__init__(message)
        self.code, self.message, self.http_status = code, message, http_status


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

    match = Match(
        share_face=share_face,
        owner=owner,
        visibility=Match.Visibility.PRIVATE if owner else Match.Visibility.UNLISTED,
        expires_at=expiry_for(owner),
    )
    match.photo_width, match.photo_height = image.working_size
    # The file first, outside the transaction; removed again if the row cannot be written.
    match.photo.name = default_storage.save(match.file_name("photo"), ContentFile(to_jpeg(image)))
    try:
        with transaction.atomic():
            match.save()
            match_enqueue(match.pk)
    except BaseException:
        default_storage.delete(match.photo.name)
        raise
    match.refresh_from_db()  # tasks run in-process without a broker, and may have finished
    return match
