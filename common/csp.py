"""The Content-Security-Policy header (django-csp), with the media storage's origin among the
image sources when media files are served from elsewhere (S3)."""

from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from csp.middleware import CSPMiddleware
from django.core.files.storage import storages

_origins: WeakKeyDictionary = WeakKeyDictionary()


def media_origin() -> str | None:
    """`scheme://host[:port]` of the media files' addresses, if not the site's own."""
    storage = storages["default"]
    if storage not in _origins:
        # Made locally, without a request to the storage (an S3 address is only signed).
        address = urlsplit(storage.url("csp-probe.jpg"))
        _origins[storage] = f"{address.scheme}://{address.netloc}" if address.netloc else None
    return _origins[storage]


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        origin = media_origin()
        if origin and not report_only:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), origin]
            parts.update = update
        return parts
