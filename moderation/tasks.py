from celery import shared_task

from moderation.services_suspects import (
    suspects_check_request,
    suspects_check_run,
)


@shared_task(soft_time_limit=1200, time_limit=1260)
def suspects_flag_task(check_id: int | None = None) -> int | None:
    if check_id is None:  # a message queued before checks were recorded
        suspects_check_request()
        return None
    check = suspects_check_run(check_id)
    return None if check is None else check.flags_opened


def suspects_after_import(sender, count: int, **kwargs) -> None:
    """New photos may be filed under the wrong actor: look for suspects among them."""
    suspects_check_request()
