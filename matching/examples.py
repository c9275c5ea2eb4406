"""The example portraits a visitor can try with one click (static/examples/, see CREDITS.md)."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Example:
    slug: str
    name: str
    credit: str

    @property
    def static_path(self) -> str:
        return f"examples/{self.slug}.jpg"

    def read_bytes(self) -> bytes:
        return (Path(settings.BASE_DIR) / "static" / self.static_path).read_bytes()


# Each finds its person in the demo catalogue with confidence (80-98 %), a different actor each.
EXAMPLES = [
    Example("angelina-jolie", "Angelina Jolie", "serengil/deepface, MIT"),
    Example("barack-obama", "Barack Obama", "ageitgey/face_recognition, MIT"),
    Example("scarlett-johansson", "Scarlett Johansson", "serengil/deepface, MIT"),
    Example("madonna", "Madonna", "jasmcaus/opencv-course, MIT"),
    Example("jennifer-aniston", "Jennifer Aniston", "deepinsight/insightface, MIT"),
    Example("ben-affleck", "Ben Affleck", "jasmcaus/opencv-course, MIT"),
]
BY_SLUG = {example.slug: example for example in EXAMPLES}
