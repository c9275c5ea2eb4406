import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actors.imdb import ImdbFileError, ImdbFiles, top_actors
from actors.services_imdb import actors_from_imdb_save


class Command(BaseCommand):
    help = (
        "Choose the most popular actors and actresses from IMDb's dataset files (sum over their "
        "acting credits of each title's votes times its rating) and create or update them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--names", type=Path, required=True, help="name.basics.tsv(.gz)")
        parser.add_argument(
            "--principals", type=Path, required=True, help="title.principals.tsv(.gz)"
        )
        parser.add_argument("--ratings", type=Path, required=True, help="title.ratings.tsv(.gz)")
        parser.add_argument(
            "--titles", type=Path, help="title.basics.tsv(.gz): names and years of known titles"
        )
        parser.add_argument("--top", type=int, required=True, help="how many actors to keep")
        parser.add_argument(
            "--min-votes", type=int, default=0, help="titles with fewer votes do not count"
        )

    def handle(self, names, principals, ratings, titles, top, min_votes, **options):
        if top < 1 or min_votes < 0:
            raise CommandError("--top must be at least 1 and --min-votes at least 0.")
        for path in (names, principals, ratings, titles):
            if path is not None and not path.is_file():
                raise CommandError(f"{path}: no such file.")
        files = ImdbFiles(names=names, principals=principals, ratings=ratings, titles=titles)
        try:
            chosen = top_actors(files, top=top, min_votes=min_votes, progress=sys.stdout.isatty())
        except ImdbFileError as exc:
            raise CommandError(str(exc)) from exc
        report = actors_from_imdb_save(chosen)
        self.stdout.write(
            f"{len(chosen)} actors chosen: {len(report.created)} added, "
            f"{len(report.updated)} updated ({len(report.linked)} of them given their IMDb id)."
        )
