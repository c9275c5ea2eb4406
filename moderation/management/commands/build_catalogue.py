import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actors.imdb import ImdbFileError
from moderation.catalogue import (
    BuildParameters,
    CatalogueBuildError,
    build_start_or_resume,
    catalogue_build,
)

# About as many as the original demo had for each actor.
DEFAULT_PER_ACTOR = 20


class Command(BaseCommand):
    help = (
        "Build the catalogue: choose the most popular actors from IMDb's files in DIR, fetch "
        "their photos from Wikimedia Commons, then look for photos filed under the wrong actor. "
        "Run again after an interruption, it resumes where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--imdb-dir",
            type=Path,
            required=True,
            help="folder with name.basics.tsv(.gz), title.principals.tsv(.gz), "
            "title.ratings.tsv(.gz) and optionally title.basics.tsv(.gz)",
        )
        parser.add_argument("--top", type=int, required=True, help="how many actors to keep")
        parser.add_argument(
            "--per-actor",
            type=int,
            default=DEFAULT_PER_ACTOR,
            help=f"photos wanted per actor (default {DEFAULT_PER_ACTOR})",
        )
        parser.add_argument(
            "--min-votes", type=int, default=0, help="titles with fewer votes do not count"
        )
        parser.add_argument(
            "--review", action="store_true", help="new photos wait for a curator's approval"
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="start afresh instead of resuming an unfinished build with the same options",
        )

    def handle(self, imdb_dir, top, per_actor, min_votes, review, restart, **options):
        if top < 1 or per_actor < 1 or min_votes < 0:
            raise CommandError("--top and --per-actor must be at least 1, --min-votes at least 0.")
        parameters = BuildParameters(imdb_dir, top, per_actor, min_votes, review)
        build, resumed = build_start_or_resume(parameters, restart=restart)
        if resumed:
            self.stdout.write(
                f"Resuming catalogue build {build.pk}, started {build.started_at:%Y-%m-%d %H:%M}."
            )
        try:
            summary = catalogue_build(build, say=self.stdout.write, progress=sys.stdout.isatty())
        except (CatalogueBuildError, ImdbFileError) as exc:
            raise CommandError(
                f"{exc} The steps done so far are kept: the same command resumes after them."
            ) from exc
        except KeyboardInterrupt:
            raise CommandError("Interrupted: run the same command again to resume.") from None
        self.stdout.write(
            f"{summary.complete} of {summary.actors} actors have at least {per_actor} approved "
            f"photos; {summary.waiting} of their photos wait for review."
        )
