"""One shape for every API error: {"error": {"code": ..., "message": ...}}."""

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
    else:
        codes = exc.get_codes()
        error = {"code": codes if isinstance(codes, str) else "error", "message": str(exc.detail)}
    if isinstance(exc, Throttled) and exc.wait is not None:
        error["retry_after"] = int(exc.wait) + 1
    response.data = {"error": error}
    return response
