"""Building the catalogue in one go: the most popular actors from IMDb's files, their photos
from Wikimedia Commons, then the check for photos filed under the wrong actor.

Each step is recorded in a CatalogueBuild row as soon as it is done (the Commons step after
each batch of actors), so a run that is interrupted, killed or fails resumes where it stopped
when the same command is run again. The steps are each safe to repeat: the IMDb step updates
and adds nobody twice, a photo is stored once (by its sha256), and the suspects check opens a
flag once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from actors.imdb import ImdbFiles, top_actors
from actors.models import Actor, ActorImage
from actors.services_imdb import actors_from_imdb_save

from .models import CatalogueBuild
from .services import suspects_flag

Step = CatalogueBuild.Step
# Actors per call of the Commons import: the most work an interruption can cost again.
COMMONS_BATCH = 25
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


def commons_import(actors: Sequence[Actor], per_actor: int, review: bool):
    """The Commons step's one call: `actors.commons.commons_import`, built beside this.

    Contract: for each actor (all have an IMDb id), add photos from Wikidata and Wikimedia
    Commons until the actor has `per_actor` of them or Commons has no more free ones; photos
    arrive as pending when `review`; a photo already stored is not stored again; failures are
    recorded as skipped photos, never raised. Returns an object with the counts `added`,
    `present` and `skipped` (numbers, or lists of what they count). Sends no signal: the
    build runs the suspects check itself.
    """
    try:
        from actors.commons import commons_import as run
    except ImportError as exc:
        raise CatalogueBuildError(
            "The Commons step needs actors.commons, which this installation does not have."
        ) from exc
    return run(actors=actors, per_actor=per_actor, review=review)


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
        build.flags_opened = len(suspects_flag())
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
    remaining = build.actor_ids[build.commons_done :]
    if build.commons_done:
        say(f"{Step.COMMONS.label}: resuming after {_plural(build.commons_done, 'actor')}.")
    for start in range(0, len(remaining), COMMONS_BATCH):
        batch = remaining[start : start + COMMONS_BATCH]
        wanting = _actors_wanting_photos(batch, build.per_actor)
        if wanting:
            outcome = commons_import(wanting, build.per_actor, build.review)
            build.photos_added += _number(outcome.added)
            build.photos_present += _number(outcome.present)
            build.photos_skipped += _number(outcome.skipped)
        build.commons_done += len(batch)
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


def _actors_wanting_photos(actor_ids: list[int], per_actor: int) -> list[Actor]:
    """The actors, in the given order, with fewer than per_actor photos approved or waiting:
    the others are not asked for more."""
    kept = Q(images__status__in=[ActorImage.Status.ACTIVE, ActorImage.Status.PENDING])
    actors = Actor.objects.filter(pk__in=actor_ids).annotate(photos=Count("images", filter=kept))
    wanting = {actor.pk: actor for actor in actors if actor.photos < per_actor}
    return [wanting[pk] for pk in actor_ids if pk in wanting]


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


def _number(value) -> int:
    return value if isinstance(value, int) else len(value)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
