from celery import shared_task
from django.db import transaction

from moderation.services import suspects_flag


@shared_task(soft_time_limit=1200, time_limit=1260)
def suspects_flag_task() -> int:
    return len(suspects_flag())


def suspects_after_import(sender, count: int, **kwargs) -> None:
    """New photos may be filed under the wrong actor: look for suspects among them."""
    transaction.on_commit(suspects_flag_task.delay)
