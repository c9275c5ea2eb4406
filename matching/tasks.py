from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from matching.active_index import NoActiveIndex
from matching.engine.faces import warm_up
from matching.services import match_process

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
