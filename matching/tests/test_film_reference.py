"""The results page names the film when the closest reference photo is a frame from one."""

import pytest

from actors.models import Actor, ActorImage
from matching.models import Match
from matching.services import index_build

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("origin", "birth_year", "heading"),
    [
        ("film", 1970, "You look like Matt Damon in Good Will Hunting (1997), aged 27</h1>"),
        ("film", None, "You look like Matt Damon in Good Will Hunting (1997)</h1>"),
        ("folder", 1970, "You look like Matt Damon</h1>"),
    ],
    ids=["film-and-birth-year", "film-only", "not-from-a-film"],
)
def test_the_heading_names_the_film_of_the_closest_photo(
    make_catalogue, upload, client, origin, birth_year, heading
):
    make_catalogue(
        {
            "Matt_Damon": ["gallery/Matt_Damon/1.jpg", "gallery/Matt_Damon/3.jpg"],
            "Katy_Perry": ["gallery/Katy_Perry/1.jpg", "gallery/Katy_Perry/2.jpg"],
        }
    )
    Actor.objects.filter(name="Matt Damon").update(birth_year=birth_year)
    ActorImage.objects.filter(actor__name="Matt Damon").update(
        origin=origin, film_title="Good Will Hunting", film_year=1997, film_seconds=1520.5
    )
    index_build()
    upload("gallery/Matt_Damon/2.jpg")
    page = client.get(f"/r/{Match.objects.get().token}/").content.decode()
    assert heading in page
