"""Commons imports started from the admin: queued as a job, run by the worker, progress kept."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Actor, CommonsImportJob
from .services_commons import ActorOutcome, commons_import
from .signals import photos_added

# A running job whose heartbeat (one per actor) is older than this was left by a worker that
# died; the next delivery of its task takes it over.
JOB_LEASE = timedelta(minutes=10)


def commons_import_job_start(
    actors: Iterable[Actor], *, per_actor: int, review: bool, user=None
) -> CommonsImportJob:
    """Queue an import of the chosen actors that have an IMDb id (the others cannot be found on
    Wikidata); the task is sent once the job is saved."""
    from .tasks import commons_import_task

    chosen = [actor for actor in actors if actor.imdb_id]
    with transaction.atomic():
        job = CommonsImportJob.objects.create(
            per_actor=per_actor, review=review, created_by=user, actors_total=len(chosen)
        )
        job.actors.set(chosen)
        transaction.on_commit(lambda: commons_import_task.delay(job.pk))
    return job


def commons_import_job_run(job_id: int) -> CommonsImportJob | None:
    """The worker's side. Safe to run twice: only a queued job, or a running one whose worker
    stopped beating, is claimed; a finished one is left alone. What an earlier run stored is
    not fetched again, so a job taken over goes quickly through the actors already done."""
    now = timezone.now()
    claimed = (
        CommonsImportJob.objects.filter(pk=job_id)
        .filter(
            Q(state=CommonsImportJob.State.QUEUED)
            | Q(state=CommonsImportJob.State.RUNNING, heartbeat_at__lt=now - JOB_LEASE)
        )
        .update(
            state=CommonsImportJob.State.RUNNING,
            started_at=now,
            heartbeat_at=now,
            actors_done=0,
            photos_added=0,
            photos_skipped=0,
            photos_present=0,
            outcome="",
        )
    )
    if not claimed:
        return None
    job = CommonsImportJob.objects.get(pk=job_id)
    lines: list[str] = []
    jobs = CommonsImportJob.objects.filter(pk=job_id)

    def progress(outcome: ActorOutcome) -> None:
        lines.extend(_outcome_lines(outcome))
        jobs.update(
            actors_done=F("actors_done") + 1,
            photos_added=F("photos_added") + outcome.photos.added,
            photos_skipped=F("photos_skipped") + len(outcome.photos.skipped),
            photos_present=F("photos_present") + outcome.photos.present,
            outcome="\n".join(lines),
            heartbeat_at=timezone.now(),
        )

    try:
        report = commons_import(
            job.actors.order_by("-popularity", "id"),
            per_actor=job.per_actor,
            review=job.review,
            on_actor=progress,
        )
    except BaseException as exc:
        lines.append(f"Stopped: {exc or type(exc).__name__}")
        jobs.update(
            state=CommonsImportJob.State.FAILED,
            outcome="\n".join(lines),
            finished_at=timezone.now(),
        )
        raise
    lines.append(report.summary())
    jobs.update(
        state=CommonsImportJob.State.DONE, outcome="\n".join(lines), finished_at=timezone.now()
    )
    if report.added and not job.review:
        photos_added.send(sender=CommonsImportJob, count=report.added)
    job.refresh_from_db()
    return job


def _outcome_lines(outcome: ActorOutcome) -> list[str]:
    name = f"{outcome.actor.name} ({outcome.actor.imdb_id})"
    lines = [f"{name}: {outcome.problem}"] if outcome.problem else []
    lines += [f"{name}: skipped {s.source}: {s.reason}" for s in outcome.photos.skipped]
    return lines
