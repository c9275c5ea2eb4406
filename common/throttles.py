"""Rate limits, built on DRF's throttles so web views and the API count the same way.

A client is its address as the deployment can trust it: REMOTE_ADDR, or with DJANGO_BEHIND_PROXY
the address the last of DJANGO_PROXY_COUNT proxies saw (DRF's NUM_PROXIES, set in settings), never
a header the client wrote itself.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    """Reads its rate per request, so a changed setting applies at once.

    Each request it allows counts, unless `counts_when_allowed` is False: then only what
    `throttles_count` records after the request succeeded counts (an accepted upload, not a
    refused or empty one)."""

    counts_when_allowed = True

    def allow_request(self, request, view):
        self._read_rate()
        return super().allow_request(request, view)

    def throttle_success(self):
        if self.counts_when_allowed:
            return super().throttle_success()
        return True

    def record(self, request) -> None:
        """Count one request now, whether or not checking it counted."""
        self._read_rate()
        key = self.get_cache_key(request, None)
        if key is None:
            return
        now = self.timer()
        history = [t for t in self.cache.get(key, []) if t > now - self.duration]
        self.cache.set(key, [now, *history], self.duration)

    def _read_rate(self) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self):
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]


class UploadThrottle(_SettingsRateThrottle):
    """Uploads per client address, whoever is logged in. Only accepted uploads count."""

    scope = "uploads"
    counts_when_allowed = False

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountUploadThrottle(_SettingsRateThrottle):
    """Uploads per account. Only accepted uploads count."""

    scope = "uploads_account"
    counts_when_allowed = False

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class AnonymousApiUploadThrottle(_SettingsRateThrottle):
    """API uploads without an account: stricter than the web form. Only accepted uploads
    count."""

    scope = "uploads_api_anonymous"
    counts_when_allowed = False

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginAddressThrottle(_SettingsRateThrottle):
    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(_SettingsRateThrottle):
    """Login attempts per user name, whatever the body's type (form or JSON)."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        username = submitted_username(request)
        return self.cache_format % {"scope": self.scope, "ident": username} if username else None


class FlagThrottle(UploadThrottle):
    """Reports of wrong-person photos, per client address: every one counts."""

    scope = "flags"
    counts_when_allowed = True


def submitted_username(request) -> str:
    """The user name a login request carries, folded so `Bob` and ` bob ` count as one."""
    # DRF's Request parses JSON and form bodies alike into .data; a plain Django request has POST.
    data = request.data if hasattr(request, "data") else request.POST
    value = data.get("username") if hasattr(data, "get") else None
    return value.strip().casefold() if isinstance(value, str) else ""


def throttled_wait(request, throttles) -> int | None:
    """Seconds to wait if any of the throttles refuses this request, else None."""
    waits = []
    for throttle_class in throttles:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return int(max(waits)) + 1 if waits else None


def throttles_count(request, throttles) -> None:
    """Count a request that succeeded against throttles that count only successes."""
    for throttle_class in throttles:
        throttle_class().record(request)
