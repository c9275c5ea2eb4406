from celery import shared_task

from moderation.services import suspects_flag


@shared_task(soft_time_limit=1200, time_limit=1260)
def suspects_flag_task() -> int:
    return len(suspects_flag())
