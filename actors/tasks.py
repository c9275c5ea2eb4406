from celery import shared_task

from actors.services_commons_jobs import commons_import_job_run


@shared_task(
    acks_late=True,
    # Sent again when the worker running it dies; the job's lease lets the next run take over.
    reject_on_worker_lost=True,
    soft_time_limit=3 * 3600,
    time_limit=3 * 3600 + 60,
)
def commons_import_task(job_id: int) -> str:
    job = commons_import_job_run(job_id)
    return job.state if job else "not claimed"
