from django.core.management.base import BaseCommand, CommandError

from actors.services_commons import commons_actors, commons_import
from actors.signals import photos_added


class Command(BaseCommand):
    help = (
        "Import freely licensed photos from Wikimedia Commons for the catalogue's actors with an "
        "IMDb id, most popular first: each actor's Wikidata images (P18), with their credit and "
        "licence. Other licences are recorded as skipped with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--actors", type=int, default=None, help="only the N most popular actors"
        )
        parser.add_argument(
            "--per-actor",
            type=int,
            default=3,
            help="Commons photos wanted per actor, counting those already stored (default 3)",
        )
        parser.add_argument(
            "--review", action="store_true", help="new photos wait for a curator's approval"
        )

    def handle(self, actors, per_actor, review, **options):
        if (actors is not None and actors < 1) or per_actor < 1:
            raise CommandError("--actors and --per-actor must be at least 1.")
        chosen = commons_actors(actors)
        if not chosen.exists():
            raise CommandError("No actor has an IMDb id: run import_imdb first.")

        def said(outcome):
            name = f"{outcome.actor.name} ({outcome.actor.imdb_id})"
            if outcome.problem:
                self.stdout.write(f"{name}: {outcome.problem}")
            for skipped in outcome.photos.skipped:
                self.stdout.write(f"{name}: skipped {skipped.source}: {skipped.reason}")
            if outcome.photos.added:
                self.stdout.write(f"{name}: {outcome.photos.added} photos added")

        report = commons_import(chosen, per_actor=per_actor, review=review, on_actor=said)
        if report.added and not review:
            photos_added.send(sender=self.__class__, count=report.added)
        self.stdout.write(report.summary())
