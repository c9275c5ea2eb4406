from django.core.management.base import BaseCommand, CommandError

from matching.services import IndexBuildError, NothingChanged, index_build


class Command(BaseCommand):
    help = (
        "Build a new index version from every active image and make it the active one; "
        "nothing is built when the active version already holds exactly those images."
    )

    def add_arguments(self, parser):
        parser.add_argument("--trees", type=int, default=None, help="annoy trees (default 50)")
        parser.add_argument(
            "--force", action="store_true", help="build even when nothing has changed"
        )

    def handle(self, trees, force, **options):
        try:
            version = index_build(trees=trees, skip_unchanged=not force)
        except NothingChanged as exc:
            self.stdout.write(str(exc))
            return
        except IndexBuildError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Index version {version.pk} active: {version.embedding_count} faces of "
            f"{version.actor_count} actors, built in {version.build_seconds:.2f} s."
        )
