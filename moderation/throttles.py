from matching.throttles import UploadThrottle


class FlagThrottle(UploadThrottle):
    """Reports per client address."""

    scope = "flags"
