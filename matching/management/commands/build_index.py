from django.core.management.base import BaseCommand, CommandError

from matching.services import IndexBuildError, index_build


class Command(BaseCommand):
    help = "Build a new index version from every active image and make it the active one."

    def add_arguments(self, parser):
        parser.add_argument("--trees", type=int, default=None, help="annoy trees (default 50)")

    def handle(self, trees, **options):
        try:
            version = index_build(trees=trees)
        except IndexBuildError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Index version {version.pk} active: {version.embedding_count} faces of "
            f"{version.actor_count} actors, built in {version.build_seconds:.2f} s."
        )
