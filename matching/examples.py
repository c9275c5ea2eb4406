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


EXAMPLES = [
    Example("rb-ginsburg", "Ruth Bader Ginsburg", "Flickr, CC"),
    Example("frederick-douglass", "Frederick Douglass", "Wikimedia Commons, CC"),
    Example("leonardo-da-vinci", "Leonardo da Vinci", "Wikimedia Commons, CC"),
    Example("hannibal-barca", "Hannibal Barca", "public domain"),
    Example("joan-of-arc", "Joan of Arc", "public domain"),
    Example("sun-tzu", "Sun Tzu", "no credit given"),
]
BY_SLUG = {example.slug: example for example in EXAMPLES}
