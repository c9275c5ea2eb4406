"""The dataset health page's counts and balance, and what the rebuild page says the next build
adds, on a small catalogue."""

import re

import pytest
from django.urls import reverse

from actors.models import Actor, ActorImage
from matching.services import index_build
from moderation.services import image_exclude

pytestmark = pytest.mark.django_db

HEALTH = "/admin/moderation/flag/health/"
REVIEW = "/admin/actors/actorimage/review/"


def table(page: str, marker: str) -> list[list[str]]:
    """The rows of the table marked `marker`, each as the text of its cells."""
    html = re.search(rf"<table[^>]*{marker}[^>]*>(.*?)</table>", page, re.S).group(1)
    body = html.split("</thead>")[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in row] for row in cells]


@pytest.fixture
def balanced(pending_photos, settings):
    """Birth years and professions on the small catalogue; Elton John has neither."""
    for name, year, profession in [
        ("Barack Obama", 1961, "actor"),
        ("Matt Damon", 1970, "actor"),
        ("Katy Perry", 1984, "actress"),
    ]:
        Actor.objects.filter(name=name).update(birth_year=year, profession=profession)
    settings.LOOKALIKE_MIN_PHOTOS_PER_ACTOR = 4
    return pending_photos


def test_the_balance_of_a_small_catalogue(client, curator, balanced):
    page = client.get(HEALTH).content.decode()

    # Actors by their number of active photos: Elton John has none yet (his two wait for
    # review), the three others four each; bars under the minimum (4) are marked.
    histogram = table(page, "data-histogram")
    assert [row[:2] for row in histogram] == [
        ["0", "1"],
        ["1", "0"],
        ["2", "0"],
        ["3", "0"],
        ["4", "3"],
        ["5 to 9", "0"],
        ["10 to 19", "0"],
        ["20 to 49", "0"],
        ["50 or more", "0"],
    ]
    below = re.findall(r'<tr class="below-minimum"><th>([^<]+)</th>', page)
    assert below == ["0", "1", "2", "3"]
    assert '<meter min="0" max="3" value="3">' in page  # the longest bar is the full width
    assert "fewer than 4 active photos (1)" in page and re.search(
        r"<li><a href=\"[^\"]+/gallery/\">Elton John</a>: 0</li>", page
    )

    assert table(page, "data-decades") == [
        ["1960s", "1", "0", "0", "1"],
        ["1970s", "1", "0", "0", "1"],
        ["1980s", "0", "1", "0", "1"],
        ["unknown", "0", "0", "1", "1"],
        ["all", "2", "1", "1", "4"],  # by profession: actors, actresses, not set, everyone
    ]
    # Photos by where they come from and their licence: active, then waiting for review.
    assert table(page, "data-origins") == [
        ["Folder import", "12", "0"],
        ["Wikimedia Commons", "0", "4"],
        ["Film frame", "0", "1"],
    ]
    assert table(page, "data-licences") == [
        ["none recorded", "12", "1"],
        ["CC BY-SA 4.0", "0", "3"],
        ["CC0 1.0", "0", "1"],
    ]


def test_an_empty_catalogue_has_an_empty_balance(client, curator):
    page = client.get(HEALTH).content.decode()
    assert table(page, "data-decades") == [["No actors yet."], ["all", "0", "0", "0", "0"]]
    assert table(page, "data-origins") == [["No photos yet."]]
    assert all(row[1] == "0" for row in table(page, "data-histogram"))


def next_build_sentence(page: str) -> str:
    found = re.search(r"<(?:li|p) data-next-build>(.*?)</(?:li|p)>", page, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_health_and_rebuild_pages_count_pending_and_what_the_next_build_adds(
    client, curator, balanced, django_capture_on_commit_callbacks
):
    versions = reverse("admin:matching_indexversion_changelist")
    assert next_build_sentence(client.get(versions).content.decode()) == (
        "No version is active yet: the next build holds 12 approved photos."
    )
    version = index_build()
    health = client.get(HEALTH).content.decode()
    assert re.search(r"Waiting for review: <a [^>]+><strong>5</strong>", health)
    assert next_build_sentence(health) == (
        f"The next index build adds 0 approved photos that version {version.pk} does not hold."
    )

    katy = balanced["katy"]
    client.post(REVIEW, {"decide": "approve-selected", "image": [i.pk for i in katy]})
    client.post(REVIEW, {"decide": f"reject:{balanced['intruder'].pk}"})
    image_exclude(ActorImage.objects.filter(actor__name="Barack Obama").first(), curator)
    health = client.get(HEALTH).content.decode()
    assert re.search(r"Waiting for review: <a [^>]+><strong>2</strong>", health)
    assert "rejected in review 1" in health
    assert next_build_sentence(health) == (
        f"The next index build adds 2 approved photos that version {version.pk} does not hold, "
        "and leaves out 1 no longer active."
    )
    listing = client.get(versions).content.decode()
    assert next_build_sentence(listing) == (
        f"The next build adds 2 approved photos that version {version.pk} does not hold, "
        "and leaves out 1 no longer active."
    )

    with django_capture_on_commit_callbacks(execute=True):  # the rebuild button, run in-process
        client.post(reverse("admin:matching_indexversion_rebuild"))
    rebuilt = version.__class__.objects.get(state="active")
    assert rebuilt.embedding_count == version.embedding_count + 2 - 1
    listing = client.get(versions).content.decode()
    assert next_build_sentence(listing) == (
        f"The next build adds 0 approved photos that version {rebuilt.pk} does not hold."
    )
