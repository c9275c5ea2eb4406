"""Trying a failed match again, with the photo that was kept."""

from __future__ import annotations

from django.db import transaction

from matching.models import PHOTO_FAULTS, Match
from matching.services.claims import match_enqueue

__all__ = ["match_retry"]


def match_retry(match: Match) -> bool:
    """Queue a match that failed for a reason other than its photo (the worker gave up after
    its attempts, or an unexpected error) once more, from the photo still kept: a fresh set of
    attempts. False when there is nothing to retry: not failed, failed because of the photo,
    expired, its photo gone, or another request retried it first (the update is conditional).
    """
    with transaction.atomic():
        retried = (
            Match.objects.filter(pk=match.pk, status=Match.Status.FAILED, expired_at=None)
            .exclude(error_code__in=PHOTO_FAULTS)
            .exclude(photo="", original="")
            .update(
                status=Match.Status.QUEUED,
                attempts=0,
                error_code="",
                error_message="",
                claimed_by="",
                heartbeat_at=None,
                started_at=None,
                finished_at=None,
            )
        )
        if retried:
            match_enqueue(match.pk)
    return bool(retried)
