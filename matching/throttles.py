from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class UploadThrottle(SimpleRateThrottle):
    """Uploads per client address; the rate is read per request, so it can change at run time."""

    scope = "uploads"

    def get_rate(self) -> str:
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
