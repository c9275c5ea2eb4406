"""The periodic sweep that finishes what a fault interrupted: matches whose run is gone and
matches whose message the broker may have lost are sent to the workers again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from matching.models import Match
from matching.services.claims import IN_PROGRESS, holder_gone, match_recover, match_resend

Status = Match.Status


@dataclass(frozen=True)
class Swept:
    runs_recovered: int  # in progress, their run gone: queued again or failed
    resent: int  # queued, their message possibly lost: sent again


def matches_recover(*, limit: int = 100) -> Swept:
    """One sweep; safe to run at any time and more than once. Both queries read only unfinished
    matches through their partial index, and each handles at most `limit`, oldest first."""
    now = timezone.now()
    runs_recovered = 0
    in_progress = Match.objects.filter(status__in=IN_PROGRESS).order_by(
        F("heartbeat_at").asc(nulls_first=True)
    )
    for match in in_progress.only("status", "claimed_by", "heartbeat_at", "attempts")[:limit]:
        if holder_gone(match.pk, match.claimed_by, match.heartbeat_at, now):
            runs_recovered += match_recover(match)
    resend_before = now - timedelta(seconds=settings.LOOKALIKE_MATCH_RESEND_SECONDS)
    # (No queued_at: queued before the time of sending was recorded.)
    sent_long_ago = Q(queued_at__lt=resend_before) | Q(
        queued_at__isnull=True, created_at__lt=resend_before
    )
    lost = (
        Match.objects.filter(sent_long_ago, status=Status.QUEUED)
        .order_by(F("queued_at").asc(nulls_first=True))
        .values_list("pk", "queued_at")[:limit]
    )
    resent = sum(match_resend(pk, queued_at) for pk, queued_at in lost)
    return Swept(runs_recovered=runs_recovered, resent=resent)
