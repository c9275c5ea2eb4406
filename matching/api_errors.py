"""One shape for every API error: {"error": {"code": ..., "message": ...}}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
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
