"""Which run holds a match: sending it to the workers, claiming it with a conditional update so
that only one run works on it at a time, and recognising a run whose worker died.

A run records who holds the match (`claimed_by`, host:pid of the worker process) and when it
last showed a sign of life (`heartbeat_at`, renewed by its heartbeat). Another delivery takes
the match over when that holder is gone: its process has ended (same host), or its heartbeat is
older than LOOKALIKE_MATCH_LEASE_SECONDS (any host). Every claim counts an attempt; a match whose
runs were interrupted LOOKALIKE_MATCH_ATTEMPTS times is failed instead of taken again, so a photo
that kills its worker every time ends with a message rather than in an endless loop.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from matching.models import Match

log = logging.getLogger(__name__)
Status = Match.Status
IN_PROGRESS = (Status.FINDING_FACES, Status.MATCHING)
INTERRUPTED = "interrupted"

# The matches this process is working on right now; a claim by this very process on any other
# match belongs to a run that ended without handing it back.
running: set[int] = set()


class MatchHeld(Exception):
    """A live run holds the match: look again later rather than drop this delivery."""

    def __init__(self, match_id: int, holder: str):
        super().__init__(f"match {match_id} is held by {holder}")
        self.match_id, self.holder = match_id, holder


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease() -> timedelta:
    return timedelta(seconds=settings.LOOKALIKE_MATCH_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    """How often a run renews its heartbeat: three chances per lease."""
    return settings.LOOKALIKE_MATCH_LEASE_SECONDS / 3


def interrupted_message(attempts: int) -> str:
    return (
        f"Matching this photo was interrupted {attempts} times, so we stopped trying. "
        "Please try again, or try another photo."
    )


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed worker process that its parent has not reaped yet is a zombie: gone all the same.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def holder_gone(match_id: int, claimed_by: str, heartbeat_at: datetime | None, now) -> bool:
    """Whether the run that holds the match can no longer finish it."""
    if heartbeat_at is None or heartbeat_at < now - lease():
        return True
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's run: only its heartbeat can tell
    if int(pid) == os.getpid():
        return match_id not in running
    return not process_alive(int(pid))


def match_enqueue(match_id: int) -> None:
    """Send the match to the workers once the current transaction commits."""
    Match.objects.filter(pk=match_id).update(queued_at=timezone.now())
    transaction.on_commit(lambda: match_send(match_id))


def match_send(match_id: int) -> bool:
    """Hand the match's task to the broker. When the broker does not answer, nothing is lost:
    the match stays queued, and the sweep sends it again."""
    from matching.tasks import match_run

    try:
        match_run.delay(match_id)
    except BrokerUnavailable:
        log.exception("could not send match %s to the workers; the sweep will resend it", match_id)
        return False
    return True


def _take(now) -> dict:
    return dict(
        status=Status.FINDING_FACES,
        started_at=now,
        heartbeat_at=now,
        claimed_by=this_process(),
        attempts=F("attempts") + 1,
    )


def match_claim(match_id: int) -> bool:
    """Take the match for this run. False when there is nothing to do: done, failed, deleted,
    or failed now because its runs were interrupted too often. Raises MatchHeld when a live run
    holds it."""
    now = timezone.now()
    queued = Match.objects.filter(
        pk=match_id, status=Status.QUEUED, attempts__lt=settings.LOOKALIKE_MATCH_ATTEMPTS
    )
    if queued.update(**_take(now)):
        return True
    current = (
        Match.objects.filter(pk=match_id)
        .values("status", "claimed_by", "heartbeat_at", "attempts")
        .first()
    )
    if current is None or current["status"] in Match.FINAL:
        return False
    if current["status"] in IN_PROGRESS and not holder_gone(
        match_id, current["claimed_by"], current["heartbeat_at"], now
    ):
        raise MatchHeld(match_id, current["claimed_by"])
    # Queued but out of attempts, or held by a run that is gone: this delivery decides.
    same_state = Match.objects.filter(
        pk=match_id,
        status=current["status"],
        claimed_by=current["claimed_by"],
        heartbeat_at=current["heartbeat_at"],
    )
    if current["attempts"] >= settings.LOOKALIKE_MATCH_ATTEMPTS:
        _give_up(match_id, same_state, current["attempts"])
        return False
    if same_state.update(**_take(now)):
        log.warning("match %s: taking over from %s, whose run is gone", match_id, current)
        return True
    raise MatchHeld(match_id, "another delivery")  # it changed meanwhile: look again later


def match_release(match_id: int) -> bool:
    """A run that could not finish for a reason that may pass hands the match back as queued,
    for its retry (or, if that is lost, for the sweep)."""
    return bool(
        Match.objects.filter(pk=match_id, status__in=IN_PROGRESS, claimed_by=this_process()).update(
            status=Status.QUEUED, claimed_by="", heartbeat_at=None, queued_at=timezone.now()
        )
    )


def match_recover(match: Match) -> bool:
    """The sweep's part for a match whose run is gone: queue it and send it again, or fail it
    when it is out of attempts. Nothing happens if another run changed it meanwhile."""
    same_run = Match.objects.filter(
        pk=match.pk,
        status=match.status,
        claimed_by=match.claimed_by,
        heartbeat_at=match.heartbeat_at,
    )
    if match.attempts >= settings.LOOKALIKE_MATCH_ATTEMPTS:
        return _give_up(match.pk, same_run, match.attempts)
    if not same_run.update(
        status=Status.QUEUED, claimed_by="", heartbeat_at=None, queued_at=timezone.now()
    ):
        return False
    log.warning("match %s: its run (%s) is gone; sending it again", match.pk, match.claimed_by)
    match_send(match.pk)
    return True


def match_resend(match_id: int, queued_at) -> bool:
    """The sweep's part for a match queued so long ago that its message may be lost."""
    if not Match.objects.filter(pk=match_id, status=Status.QUEUED, queued_at=queued_at).update(
        queued_at=timezone.now()
    ):
        return False
    log.warning("match %s: queued since %s; sending it again", match_id, queued_at)
    match_send(match_id)
    return True


def _give_up(match_id: int, same_run, attempts: int) -> bool:
    failed = same_run.update(
        status=Status.FAILED,
        error_code=INTERRUPTED,
        error_message=interrupted_message(attempts),
        finished_at=timezone.now(),
    )
    if failed:
        log.error("match %s: interrupted %s times; failed", match_id, attempts)
    return bool(failed)


def match_fail(match_id: int, code: str, message: str) -> None:
    Match.objects.filter(pk=match_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, error_code=code, error_message=message, finished_at=timezone.now()
    )
