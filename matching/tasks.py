from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from face_engine.faces import warm_up
from matching.active_index import NoActiveIndex
from matching.services import (
    index_build_run,
    index_versions_prune_safely,
    match_process,
    matches_expire,
    matches_recover,
    stored_files_delete,
)
from matching.services.claims import MatchHeld, heartbeat_seconds

# Failures worth another try a little later: the database, storage or index not answering.
TRANSIENT = (OperationalError, InterfaceError, OSError, NoActiveIndex)


@worker_process_init.connect
def _load_face_models(**_):
    # Once per worker process, before the first task, not once per task.
    warm_up()


def retry_countdown(retries: int) -> float:
    """2, 4, 8, ... seconds, at most LOOKALIKE_MATCH_RETRY_MAX_SECONDS (far below the broker's
    visibility timeout, so a message waiting for its retry is never delivered twice)."""
    return min(2.0 * 2**retries, settings.LOOKALIKE_MATCH_RETRY_MAX_SECONDS)


@shared_task(
    bind=True,
    # About ten minutes of retries; past them a message is dropped and the sweep takes over.
    max_retries=20,
    soft_time_limit=settings.LOOKALIKE_MATCH_TIME_LIMIT - 30,
    time_limit=settings.LOOKALIKE_MATCH_TIME_LIMIT,
    acks_late=True,
    # The message goes back to the queue when the worker process running it dies; the next
    # delivery takes over the dead run (see matching/services/claims.py).
    reject_on_worker_lost=True,
)
def match_run(self, match_id: int) -> None:
    try:
        match_process(match_id, transient=TRANSIENT)
    except MatchHeld:
        # A live run holds it; look again when its next heartbeat is due, so that this message
        # is not the one everything depends on if that run dies.
        raise self.retry(countdown=heartbeat_seconds()) from None
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task(soft_time_limit=600, time_limit=660)
def matches_expire_task() -> int:
    return matches_expire()


@shared_task(soft_time_limit=600, time_limit=660)
def stored_files_delete_task() -> int:
    return stored_files_delete()


@shared_task(soft_time_limit=600, time_limit=660)
def index_versions_prune_task() -> int:
    return len(index_versions_prune_safely())


@shared_task(soft_time_limit=60, time_limit=90)
def matches_recover_task() -> dict:
    swept = matches_recover()
    return {"runs_recovered": swept.runs_recovered, "resent": swept.resent}


@shared_task(
    acks_late=True,
    soft_time_limit=settings.LOOKALIKE_INDEX_BUILD_TIME_LIMIT - 60,
    time_limit=settings.LOOKALIKE_INDEX_BUILD_TIME_LIMIT,
)
def index_build_task(version_id: int) -> None:
    index_build_run(version_id)
