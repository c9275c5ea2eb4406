"""Which run holds a match: queueing it for the workers, and claiming it with a conditional
update so that only one run works on it at a time."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from matching.models import Match

Status = Match.Status


def match_enqueue(match_id: int) -> None:
    """Send the match to the workers once the current transaction commits."""
    from matching.tasks import match_run

    Match.objects.filter(pk=match_id).update(queued_at=timezone.now())
    transaction.on_commit(lambda: match_run.delay(match_id))


def match_claim(match_id: int) -> bool:
    """Take the match for this run; a run that died mid-way is taken over once it is stale."""
    stale = timezone.now() - timedelta(seconds=settings.LOOKALIKE_MATCH_TIME_LIMIT + 60)
    in_progress = Q(status__in=[Status.FINDING_FACES, Status.MATCHING], started_at__lt=stale)
    return bool(
        Match.objects.filter(Q(status=Status.QUEUED) | in_progress, pk=match_id).update(
            status=Status.FINDING_FACES, started_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def match_fail(match_id: int, code: str, message: str) -> None:
    Match.objects.filter(pk=match_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, error_code=code, error_message=message, finished_at=timezone.now()
    )
