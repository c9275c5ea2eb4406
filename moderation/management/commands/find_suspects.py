import json

from django.core.management.base import BaseCommand

from moderation.services_suspects import suspects_check_now
from moderation.suspects_engine import FLAG_THRESHOLD, MIN_PHOTOS


class Command(BaseCommand):
    help = (
        "Flag active catalogue photos that look like someone other than the actor they are "
        "filed under, and print each flag opened, most suspicious first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="one JSON object per line"
        )

    def handle(self, as_json, **options):
        opened = suspects_check_now()
        for _, suspect in opened:
            if as_json:
                line = {
                    "image": suspect.image.pk,
                    "actor": suspect.actor_name,
                    "source": suspect.source,
                    "score": round(suspect.score, 4),
                }
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.stdout.write(self._describe(suspect))
        if not as_json:
            self.stdout.write(self._summary(len(opened)))

    @staticmethod
    def _summary(count: int) -> str:
        return (
            f"{count} flag{'' if count == 1 else 's'} opened for photos scoring {FLAG_THRESHOLD} "
            f"or more (actors with fewer than {MIN_PHOTOS} photos are not judged)."
        )

    @staticmethod
    def _describe(suspect) -> str:
        figures = suspect.figures
        nearer = ""
        if suspect.other_actor is not None:
            nearer = (
                f"; nearest other actor {suspect.other_actor.name} at {figures.other_distance:.3f}"
            )
        return (
            f"{suspect.score:6.3f}  image {suspect.image.pk} under {suspect.actor_name}: "
            f"{figures.own_distance:.3f} from its centre (usual {figures.spread:.3f}){nearer}"
            f"  {suspect.source}"
        )
