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
    stored_files_delete,
)

# Failures worth another try a little later: the database, storage or index not answering.
TRANSIENT = (OperationalError, InterfaceError, OSError, NoActiveIndex)


@worker_process_init.connect
def _load_face_models(**_):
    # Once per worker process, before the first task, not once per task.
    warm_up()


@shared_task(
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=settings.LOOKALIKE_MATCH_ATTEMPTS - 1,
    soft_time_limit=settings.LOOKALIKE_MATCH_TIME_LIMIT - 30,
    time_limit=settings.LOOKALIKE_MATCH_TIME_LIMIT,
    acks_late=True,
)
def match_run(match_id: int) -> None:
    match_process(match_id, transient=TRANSIENT)


@shared_task(soft_time_limit=600, time_limit=660)
def matches_expire_task() -> int:
    return matches_expire()


@shared_task(soft_time_limit=600, time_limit=660)
def stored_files_delete_task() -> int:
    return stored_files_delete()


@shared_task(soft_time_limit=600, time_limit=660)
def index_versions_prune_task() -> int:
    return len(index_versions_prune_safely())


@shared_task(
    acks_late=True,
    soft_time_limit=settings.LOOKALIKE_INDEX_BUILD_TIME_LIMIT - 60,
    time_limit=settings.LOOKALIKE_INDEX_BUILD_TIME_LIMIT,
)
def index_build_task(version_id: int) -> None:
    index_build_run(version_id)
