"""One shape for every API error: {"error": {"code": ..., "message": ...}}."""

import logging

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, for programs: invalid, not_an_image, damaged_image, animated_image, "
        "too_large, throttled, not_found, authentication_failed, ..."
    )
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="With `invalid`: what is wrong with each field.",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="With `throttled`: seconds to wait before trying again."
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    # For the schema only: api_exception_handler builds the answers.
    error = ErrorDetailSerializer()


def api_exception_handler(exc, context):
    if isinstance(exc, SuspiciousOperation):
        return _refused_request(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        error = {
            "code": "invalid",
            "message": "Some fields are missing or invalid.",
            "fields": response.data,
        }
    elif isinstance(exc, Http404):
        error = {"code": "not_found", "message": "Not found."}
    elif isinstance(exc, PermissionDenied):
        error = {"code": "permission_denied", "message": "You may not do this."}
    else:
        codes = exc.get_codes()
        error = {"code": codes if isinstance(codes, str) else "error", "message": str(exc.detail)}
    if isinstance(exc, Throttled) and exc.wait is not None:
        error["retry_after"] = int(exc.wait) + 1
    response.data = {"error": error}
    return response


def _refused_request(exc: SuspiciousOperation) -> Response:
    """Django refuses these while parsing the body; DRF's own handler leaves them to Django's
    HTML error page."""
    # Logged where Django logs them when it handles them itself.
    logging.getLogger(f"django.security.{type(exc).__name__}").warning(str(exc))
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        status, code, message = 400, "too_many_fields", f"Send at most {limit} fields."
    elif isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        status, code, message = 400, "too_many_files", f"Send at most {limit} files."
    elif isinstance(exc, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
        message = f"A field is over {megabytes:g} MB; only the photo, sent as a file, may be more."
        status, code = 413, "too_large"
    else:
        status, code, message = 400, "bad_request", "The request was not understood."
    return Response({"error": {"code": code, "message": message}}, status=status)
