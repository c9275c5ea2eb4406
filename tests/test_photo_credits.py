"""The credit and licence of a reference photo are shown wherever the photo is shown: on the
results page beside the closest photo of each actor, and in the admin's photo list and page."""

import re

import pytest
from django.urls import reverse

from actors.models import ActorImage
from matching.models import Resemblance

pytestmark = pytest.mark.django_db
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"


def credit_every_photo(actor_name: str) -> None:
    for image in ActorImage.objects.filter(actor__name=actor_name):
        image.attribution = f"Photographer {image.pk}"
        image.licence = "CC BY-SA 4.0"
        image.licence_url = LICENCE_URL
        image.source_page = f"https://commons.wikimedia.org/wiki/File:Photo_{image.pk}.jpg"
        image.save()


def test_the_results_page_credits_the_closest_photo_of_the_actor(client, upload, indexed_catalogue):
    credit_every_photo("Katy Perry")
    location = upload("gallery/Katy_Perry/5.jpg")["Location"]
    html = client.get(location).content.decode()

    closest = Resemblance.objects.get(rank=1).reference_image
    assert closest.actor.name == "Katy Perry"
    credits = re.findall(r'<small class="photo-credit">(.*?)</small>', html, re.S)
    assert credits == [
        f'Photo: Photographer {closest.pk}, <a href="{LICENCE_URL}" rel="license">CC BY-SA 4.0</a>'
        f' · <a href="{closest.source_page}" aria-label="source of this photo of Katy Perry">'
        "source</a>"
    ]  # the other actors' photos carry no credit in this catalogue, so none is shown
    row = html[html.index(closest.face_thumbnail.url) :]
    assert row.index("photo-credit") < row.index("</li>")  # in that photo's row


def test_the_admin_shows_credit_and_licence_in_the_photo_list_and_page(
    client, curator, small_catalogue
):
    credit_every_photo("Matt Damon")
    image = ActorImage.objects.filter(actor__name="Matt Damon").first()
    licence_link = f'<a href="{LICENCE_URL}" rel="license">CC BY-SA 4.0</a>'

    listing = client.get(reverse("admin:actors_actorimage_changelist")).content.decode()
    cells = re.findall(r'<td class="field-credit">(.*?)</td>', listing, re.S)
    assert len(cells) == ActorImage.objects.count()
    assert sum(licence_link in cell for cell in cells) == 4  # Matt Damon's four photos
    assert f"Photo: Photographer {image.pk}" in listing

    page = client.get(reverse("admin:actors_actorimage_change", args=[image.pk])).content.decode()
    assert f"Photo: Photographer {image.pk}, {licence_link}" in page
    assert f'href="{image.source_page}"' in page
