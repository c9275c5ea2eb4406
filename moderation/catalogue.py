"""Building the catalogue in one go: the most popular actors from IMDb's files, their photos
from Wikimedia Commons, then the check for photos filed under the wrong actor.

Each step is recorded in a CatalogueBuild row as soon as it is done (the Commons step after
each actor), so a run that is interrupted, killed or fails resumes where it stopped when the
same command is run again. The steps are each safe to repeat: the IMDb step updates and adds
nobody twice, a photo is stored once (by its sha256, and a Commons file once per actor), and the
suspects check opens a flag once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from actors.downloads import HttpClient
from actors.imdb import ImdbFiles, top_actors
from actors.models import Actor, ActorImage
from actors.services_commons import commons_import
from actors.services_imdb import actors_from_imdb_save

from .models import CatalogueBuild
from .services_suspects import suspects_check_now

Step = CatalogueBuild.Step
# Photos that count towards an actor's share: approved, or waiting for a curator's decision.
KEPT = [ActorImage.Status.ACTIVE, ActorImage.Status.PENDING]
IMDB_FILE_NAMES = {
    "names": "name.basics.tsv",
    "principals": "title.principals.tsv",
    "ratings": "title.ratings.tsv",
    "titles": "title.basics.tsv",  # optional: the names and years of known titles
}


class CatalogueBuildError(Exception):
    """The build cannot go on; the message says why. Steps done so far stay done."""


@dataclass(frozen=True)
class BuildParameters:
    imdb_dir: Path
    top: int
    per_actor: int
    min_votes: int = 0
    review: bool = False

    def key(self) -> tuple:
        return (str(self.imdb_dir.resolve()), self.top, self.per_actor, self.min_votes, self.review)


@dataclass(frozen=True)
class BuildSummary:
    build: CatalogueBuild
    actors: int  # chosen by the IMDb step and still in the catalogue
    complete: int  # of them, with at least per_actor approved photos
    waiting: int  # their photos waiting for review


def imdb_files_in(directory: Path) -> ImdbFiles:
    """IMDb's files in a folder, each gzipped (name.basics.tsv.gz) or plain (name.basics.tsv)."""
    if not directory.is_dir():
        raise CatalogueBuildError(f"{directory} is not a directory.")
    found = {}
    for kind, name in IMDB_FILE_NAMES.items():
        for candidate in (directory / f"{name}.gz", directory / name):
            if candidate.is_file():
                found[kind] = candidate
                break
    missing = [IMDB_FILE_NAMES[k] for k in ("names", "principals", "ratings") if k not in found]
    if missing:
        raise CatalogueBuildError(
            f"{directory} lacks {', '.join(f'{name}(.gz)' for name in missing)}."
        )
    return ImdbFiles(**found)


def build_start_or_resume(parameters: BuildParameters, *, restart: bool = False):
    """The newest unfinished build with the same parameters, or a new one; (build, resumed)."""
    if not restart:
        for build in CatalogueBuild.objects.filter(finished_at__isnull=True):
            if build.parameters() == parameters.key():
                return build, True
    imdb_dir, top, per_actor, min_votes, review = parameters.key()
    build = CatalogueBuild.objects.create(
        imdb_dir=imdb_dir, top=top, per_actor=per_actor, min_votes=min_votes, review=review
    )
    return build, False


def catalogue_build(
    build: CatalogueBuild, *, say: Callable[[str], None] = lambda line: None, progress=False
) -> BuildSummary:
    """Run the steps the build has not done yet, in order, recording each as it ends."""
    for step, run in ((Step.IMDB, _imdb_step), (Step.COMMONS, _commons_step)):
        if step in build.steps_done:
            say(f"{step.label}: done before.")
        else:
            run(build, say=say, progress=progress)
    if Step.SUSPECTS in build.steps_done:
        say(f"{Step.SUSPECTS.label}: done before.")
    else:
        build.flags_opened = len(suspects_check_now())
        _step_done(build, Step.SUSPECTS, "flags_opened")
        say(f"{Step.SUSPECTS.label}: {_plural(build.flags_opened, 'flag')} opened.")
    build.finished_at = timezone.now()
    build.save(update_fields=["finished_at", "updated_at"])
    return build_summary(build)


def _imdb_step(build: CatalogueBuild, *, say, progress) -> None:
    files = imdb_files_in(Path(build.imdb_dir))
    # The slow part (DuckDB over the files) runs outside any transaction; the actors and the
    # step's record are then written together.
    chosen = top_actors(files, top=build.top, min_votes=build.min_votes, progress=progress)
    with transaction.atomic():
        report = actors_from_imdb_save(chosen)
        ids = Actor.objects.in_bulk([a.imdb_id for a in chosen], field_name="imdb_id")
        build.actor_ids = [ids[a.imdb_id].pk for a in chosen]
        _step_done(build, Step.IMDB, "actor_ids")
    say(
        f"{Step.IMDB.label}: {len(chosen)} actors chosen, {len(report.created)} added, "
        f"{len(report.updated)} updated."
    )


def _commons_step(build: CatalogueBuild, *, say, progress) -> None:
    """Each chosen actor short of photos gets what Commons has, up to the build's share; the
    step's progress is recorded after every actor, so a resumed run starts at the next one."""
    if build.commons_done:
        say(f"{Step.COMMONS.label}: resuming after {_plural(build.commons_done, 'actor')}.")
    client = HttpClient()
    for actor_id in build.actor_ids[build.commons_done :]:
        actor = _actor_with_counts(actor_id)
        if actor is not None and actor.kept < build.per_actor:
            # The Commons import counts the Commons photos an actor already has (whatever their
            # status) against its share; the build counts every approved or waiting photo. So
            # the share asked for is what the actor has from Commons plus what it still lacks.
            share = actor.from_commons + build.per_actor - actor.kept
            outcome = commons_import(
                [actor], per_actor=share, review=build.review, client=client
            ).actors[0]
            if not outcome.answered:
                # Going on would mark this actor done without its photos: stop, and let the
                # same command ask again, from this actor, once Wikimedia answers.
                raise CatalogueBuildError(
                    f"{Step.COMMONS.label} stopped at {actor.name} ({actor.imdb_id}): "
                    f"{outcome.problem}."
                )
            if outcome.problem:
                say(f"{Step.COMMONS.label}: {actor.name} ({actor.imdb_id}): {outcome.problem}.")
            build.photos_added += outcome.photos.added
            build.photos_present += outcome.photos.present
            build.photos_skipped += len(outcome.photos.skipped)
        build.commons_done += 1
        build.save(
            update_fields=[
                "commons_done",
                "photos_added",
                "photos_present",
                "photos_skipped",
                "updated_at",
            ]
        )
        if progress:
            say(f"{Step.COMMONS.label}: {build.commons_done} of {len(build.actor_ids)} actors.")
    _step_done(build, Step.COMMONS)
    say(
        f"{Step.COMMONS.label}: {_plural(build.photos_added, 'photo')} added, "
        f"{build.photos_present} already known, {build.photos_skipped} skipped."
    )


def _actor_with_counts(actor_id: int) -> Actor | None:
    """The actor with `kept` (photos approved or waiting) and `from_commons` (photos from
    Commons, whatever their status); None if it has left the catalogue since the IMDb step."""
    return (
        Actor.objects.filter(pk=actor_id)
        .annotate(
            kept=Count("images", filter=Q(images__status__in=KEPT)),
            from_commons=Count("images", filter=Q(images__origin=ActorImage.Origin.COMMONS)),
        )
        .first()
    )


def _step_done(build: CatalogueBuild, step: str, *fields: str) -> None:
    build.steps_done = [*build.steps_done, str(step)]
    build.save(update_fields=["steps_done", *fields, "updated_at"])


def build_summary(build: CatalogueBuild) -> BuildSummary:
    approved = Count("images", filter=Q(images__status=ActorImage.Status.ACTIVE))
    waiting = Count("images", filter=Q(images__status=ActorImage.Status.PENDING))
    actors = list(Actor.objects.filter(pk__in=build.actor_ids).annotate(a=approved, w=waiting))
    return BuildSummary(
        build=build,
        actors=len(actors),
        complete=sum(1 for actor in actors if actor.a >= build.per_actor),
        waiting=sum(actor.w for actor in actors),
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
