"""How much a request may send: a body over the upload limit is refused before it is read."""

import os
from tempfile import SpooledTemporaryFile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import JsonResponse
from django.shortcuts import render

from face_engine.errors import FORMATS

# Room for the upload form's other fields and the multipart framing around the photo.
FORM_ROOM_BYTES = 64 * 1024
API_PREFIX = "/api/"
_CHUNK = 64 * 1024


def upload_too_large_message() -> str:
    megabytes = settings.LOOKALIKE_UPLOAD_MAX_BYTES / 1_000_000
    return f"This file is over {megabytes:g} MB. Please upload a smaller {FORMATS} photo."


def request_max_bytes() -> int:
    return settings.LOOKALIKE_UPLOAD_MAX_BYTES + FORM_ROOM_BYTES


def too_large_response(request):
    """413: the API's JSON error, the JSON the upload page's script asks for, or a page."""
    message = upload_too_large_message()
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"error": {"code": "too_large", "message": message}}, status=413)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"error": message, "field": "photo"}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class RequestBodyLimitMiddleware:
    """Answer 413 to a body over the upload limit (plus room for the other fields) unread.

    A declared Content-Length decides before anything is read. A chunked body declares none, and
    Django alone would read nothing of it; when the server has de-chunked it and ends the stream
    (gunicorn's wsgi.input_terminated), it is read here into a spooled file, at most one byte
    past the limit, and handed on with its length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = request_max_bytes()
        length = _declared_length(request)
        if length is not None and length > limit:
            return too_large_response(request)
        if length is None and _is_terminated_chunked(request):
            body = _read_at_most(request.META["wsgi.input"], limit)
            if body is None:
                return too_large_response(request)
            _hand_on(request, body)
        return self.get_response(request)


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _is_terminated_chunked(request) -> bool:
    encoding = request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return "chunked" in encoding and bool(request.META.get("wsgi.input_terminated"))


def _read_at_most(stream, limit: int) -> SpooledTemporaryFile | None:
    body = SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    size = 0
    while chunk := stream.read(min(_CHUNK, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            body.close()
            return None
        body.write(chunk)
    body.seek(0)
    return body


def _hand_on(request, body) -> None:
    size = body.seek(0, os.SEEK_END)
    body.seek(0)
    request.META["CONTENT_LENGTH"] = str(size)
    # Django made its body stream from the Content-Length it saw (none): replace it.
    request._stream = LimitedStream(body, size)
