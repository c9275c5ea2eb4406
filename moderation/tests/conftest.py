"""Curation fixtures: a curator in the admin, and new photos waiting for review."""

import pytest

from actors.models import Actor, ActorImage
from testkit.factories import ActorFactory, ActorImageFactory


@pytest.fixture
def add_pending(faces_dir, photo_scans):
    """Add a photo as an import with review does: pending, with its origin, licence and credit."""

    def add(actor: Actor | str, photo: str, **fields) -> ActorImage:
        path = faces_dir / photo
        if isinstance(actor, str):
            actor = ActorFactory(name=actor)
        fields = {
            "origin": ActorImage.Origin.COMMONS,
            "licence": "CC BY-SA 4.0",
            "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
            "attribution": "Jane Photographer",
            "source_page": f"https://commons.wikimedia.org/wiki/File:{path.name}",
            "source": f"https://upload.wikimedia.org/{photo}",
            **fields,
        }
        return ActorImageFactory(
            actor=actor,
            photo=path,
            scan=photo_scans(path),
            status=ActorImage.Status.PENDING,
            **fields,
        )

    return add


@pytest.fixture
def pending_photos(small_catalogue, add_pending):
    """The small catalogue (Barack Obama, Matt Damon, Katy Perry: four active photos each) and
    five new photos waiting for review: two more of Katy Perry, one of Madonna filed under Matt
    Damon by mistake, and two of Elton John, who has no approved photo yet."""
    katy = Actor.objects.get(name="Katy Perry")
    matt = Actor.objects.get(name="Matt Damon")
    return {
        "katy": [
            add_pending(katy, "gallery/Katy_Perry/5.jpg"),
            add_pending(katy, "gallery/Katy_Perry/6.jpg", licence="CC0 1.0", licence_url=""),
        ],
        "intruder": add_pending(
            matt,
            "gallery/Madonna/1.jpg",
            origin=ActorImage.Origin.FILM,
            film_title="Evita",
            film_year=1996,
            film_seconds=754.0,
            source="/films/evita.mkv",
            licence="",
            licence_url="",
            attribution="",
            source_page="",
        ),
        "elton": [
            add_pending("Elton John", "gallery/Elton_John/1.jpg"),
            add_pending("Elton John", "gallery/Elton_John/2.jpg"),
        ],
    }
