import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from face_engine.errors import FaceEngineError
from matching.active_index import NoActiveIndex, active_index
from matching.selectors import photo_match


class Command(BaseCommand):
    help = "Find the actors that the faces in each photo look like."

    def add_arguments(self, parser):
        parser.add_argument("images", nargs="+", type=Path)
        parser.add_argument(
            "--top",
            type=int,
            default=settings.LOOKALIKE_TOP_ACTORS,
            help=f"actors per face (default {settings.LOOKALIKE_TOP_ACTORS}, as on the site)",
        )
        parser.add_argument(
            "--max-faces",
            type=int,
            default=settings.LOOKALIKE_MAX_FACES,
            help=f"faces per photo, biggest first (default {settings.LOOKALIKE_MAX_FACES})",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="one JSON object per line"
        )

    def handle(self, images, top, max_faces, as_json, **options):
        if top < 1 or max_faces < 1:
            raise CommandError("--top and --max-faces must be at least 1.")
        try:
            active_index()
        except NoActiveIndex as exc:
            raise CommandError(str(exc)) from exc
        for path in images:
            result = self._match(path, top, max_faces)
            if as_json:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            else:
                self._print(result)

    def _match(self, path: Path, top: int, max_faces: int) -> dict:
        result = {"image": str(path), "error": None, "faces": []}
        try:
            data = path.read_bytes()
        except OSError as exc:
            result["error"] = f"Cannot read the file: {exc.strerror or exc}."
            return result
        try:
            match = photo_match(data, top=top, max_faces=max_faces)
        except FaceEngineError as exc:
            result["error"] = exc.message
            return result
        result["faces"] = [face.as_dict() for face in match.faces]
        return result

    def _print(self, result: dict) -> None:
        self.stdout.write(result["image"])
        if result["error"]:
            self.stdout.write(f"  {result['error']}")
        for number, face in enumerate(result["faces"], 1):
            self.stdout.write(f"  face {number} at {tuple(face['box'])}:")
            for match in face["matches"]:
                self.stdout.write(
                    f"    {match['similarity']:5.1f} %  {match['actor']}"
                    f"  (distance {match['distance']:.3f}, photo {match['closest_image']})"
                )
