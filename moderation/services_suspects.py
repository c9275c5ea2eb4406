"""Suspects checks as jobs: each run is recorded with its state and outcome, whoever starts it
(the queue's button, an import, `find_suspects`, `build_catalogue`)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .models import SuspectsCheck
from .services import suspects_flag

log = logging.getLogger(__name__)

State = SuspectsCheck.State


def suspects_check_request(*, user=None) -> SuspectsCheck:
    """Queue a check for the worker; the task is sent once the row is saved. A check already
    queued (not yet started, so it will see every photo there is) is returned instead."""
    from .tasks import suspects_flag_task

    waiting = SuspectsCheck.objects.filter(state=State.QUEUED).order_by("-id").first()
    if waiting is not None and not waiting.is_lost:
        return waiting
    check = SuspectsCheck.objects.create(requested_by=user)
    transaction.on_commit(lambda: suspects_flag_task.delay(check.pk))
    return check


def suspects_check_run(check_id: int) -> SuspectsCheck | None:
    """The worker's side. Safe to run twice: only a queued check is claimed (one conditional
    update), so a second delivery of the same task does nothing."""
    claimed = SuspectsCheck.objects.filter(pk=check_id, state=State.QUEUED).update(
        state=State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    check = SuspectsCheck.objects.get(pk=check_id)
    try:
        _run(check)
    except Exception:  # recorded on the check for the queue to show; nothing to retry
        log.exception("suspects check %s failed", check_id)
    return check


def suspects_check_now(*, user=None) -> list:
    """Run a check in this process (the commands), recorded like a queued one; returns the
    (flag, suspect) pairs opened, worst first. A failure is recorded, then raised."""
    check = SuspectsCheck.objects.create(
        requested_by=user, state=State.RUNNING, started_at=timezone.now()
    )
    return _run(check)


def _run(check: SuspectsCheck) -> list:
    try:
        opened = suspects_flag()
    except Exception as exc:
        check.state, check.error = State.FAILED, str(exc) or exc.__class__.__name__
        check.finished_at = timezone.now()
        check.save(update_fields=["state", "error", "finished_at"])
        raise
    check.state, check.flags_opened, check.finished_at = State.DONE, len(opened), timezone.now()
    check.save(update_fields=["state", "flags_opened", "finished_at"])
    return opened
