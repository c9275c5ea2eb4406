"""The results page as its owner and as the people they share the link with see it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actors.models import Actor
from matching.models import Match, MatchFace, Resemblance
from matching.services import index_build

pytestmark = pytest.mark.django_db


def headline(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


@pytest.fixture
def katy(client, upload, indexed_catalogue):
    """An anonymous upload of a Katy Perry photo, made by `client`'s browser."""
    return upload("gallery/Katy_Perry/5.jpg")["Location"]


def test_the_owner_reads_you_and_sees_their_controls(client, katy):
    html = client.get(katy).content.decode()
    assert headline(html) == "You look like Katy Perry"
    assert "It will be deleted on" in html  # the retention notice, for the owner only
    assert "Delete this result now" in html
    assert "Find your own lookalike</a>" not in html.split("<h1")[0]
    assert "People with this link see the actors you matched, not your face." in html
    best = Resemblance.objects.get(rank=1)
    assert f'alt="Share picture: Katy Perry, {best.similarity:.0f}%"' in html


def test_someone_given_the_link_reads_the_third_person_and_is_invited_to_try(katy):
    friend = Client()
    html = friend.get(katy).content.decode()
    assert headline(html) == "Looks like Katy Perry"
    assert "You look like" not in html
    above_the_result = html.split("<h1")[0]
    assert 'href="/">Find your own lookalike</a>' in above_the_result
    for owners_only in ("It will be deleted on", "Delete this result now", "data-copy"):
        assert owners_only not in html
    # The owner did not allow their face: the friend sees the actors only.
    token = katy.split("/")[2]
    assert f"/r/{token}/faces/0.jpg" not in html
    assert "not shown, at the owner's choice" in html


def test_a_weak_result_says_so_in_the_third_person_too(katy, settings):
    settings.LOOKALIKE_WEAK_SIMILARITY = 99.9
    assert headline(Client().get(katy).content.decode()) == "No strong lookalike for this face"


def test_an_example_is_labelled_with_its_name_never_you(client, upload, indexed_catalogue):
    html = client.get(upload(None, example="madonna")["Location"]).content.decode()
    assert "Example: Madonna" in html
    assert not re.search(r"\bYou look like\b|alt=\"Your face\"|No strong lookalike this time", html)


def test_the_percentage_is_explained_on_the_page(client, katy):
    html = client.get(katy).content.decode()
    assert 'href="#about-percent"' in html and 'id="about-percent"' in html
    assert "It is not a probability that you are related or the same person." in html


def test_each_match_has_a_heading_and_the_actors_context(client, katy):
    Actor.objects.filter(name="Katy Perry").update(
        imdb_id="nm2953537",
        birth_year=1984,
        known_for=[
            {"imdb_id": "tt1", "title": "Part of Me", "year": 2012},
            {"imdb_id": "tt2"},  # imported without titles: nothing to show
        ],
    )
    html = client.get(katy).content.decode()
    assert re.search(r"<h3 class=\"name\">.*?Katy Perry</h3>", html, re.S)
    assert "Known for Part of Me (2012) · born 1984" in html
    assert 'href="https://www.imdb.com/name/nm2953537/"' in html


@pytest.fixture
def five_actors(make_catalogue):
    people = ["Katy_Perry", "Matt_Damon", "Barack_Obama", "Jennifer_Aniston", "Madonna"]
    make_catalogue({p: [f"gallery/{p}/{n}.jpg" for n in range(1, 3)] for p in people})
    index_build()


def test_three_matches_show_and_the_rest_wait_behind_show_more(client, upload, five_actors):
    html = client.get(upload("gallery/Katy_Perry/5.jpg")["Location"]).content.decode()
    assert Resemblance.objects.count() == 5  # more than three are kept per face
    shown, more = html.split('<details class="more-matches">')
    assert shown.count('class="match-row"') == 3
    assert "<summary>Show 2 more</summary>" in more and more.count('class="match-row"') == 2


def test_the_filter_shows_actors_or_actresses(client, upload, five_actors):
    location = upload("gallery/Katy_Perry/5.jpg")["Location"]
    assert 'aria-label="Show"' not in client.get(location).content.decode()  # no professions
    Actor.objects.filter(name__in=["Katy Perry", "Jennifer Aniston", "Madonna"]).update(
        profession="actress"
    )
    Actor.objects.filter(name__in=["Matt Damon", "Barack Obama"]).update(profession="actor")
    everyone = client.get(location).content.decode()
    assert '?face=0&amp;who=actress#matches-title" data-who="actress"' in everyone
    actresses = client.get(location + "?who=actress").content.decode()
    names = re.findall(r'class="match-row" id="match-\d+" data-actor="([^"]+)"', actresses)
    assert sorted(names) == ["Jennifer Aniston", "Katy Perry", "Madonna"]
    actors = client.get(location + "?who=actor").content.decode()
    names = re.findall(r'class="match-row" id="match-\d+" data-actor="([^"]+)"', actors)
    assert sorted(names) == ["Barack Obama", "Matt Damon"]


@pytest.fixture
def group(client, upload, indexed_catalogue):
    return upload("extras/group_obama_and_biden.jpg")["Location"]


def test_a_group_photo_says_how_many_faces_and_links_each(client, group):
    html = client.get(group).content.decode()
    assert "3 faces found." in html
    for n in (1, 2, 3):
        assert f'aria-label="Face {n} of 3"' in html or f'alt="Face {n} of 3"' in html
    assert html.count('aria-current="true"') == 1


def test_face_numbers_out_of_range_show_the_first_face_with_a_note(client, group):
    token = group.split("/")[2]
    second = client.get(group + "?face=1").content.decode()
    assert f'src="/r/{token}/faces/1.jpg" alt="Face 2 of 3"' in second
    for asked in ("99", "-1", "two"):
        html = client.get(f"{group}?face={asked}").content.decode()
        assert f"There is no face {asked} in this photo; here is face 1." in html
        assert f'src="/r/{token}/faces/0.jpg" alt="Face 1 of 3"' in html


def test_the_share_link_of_a_group_photo_keeps_the_face(client, group):
    html = client.get(group + "?face=2").content.decode()
    assert re.search(r'value="http://testserver/r/[\w-]+/\?face=2"[^>]*data-share-url', html)


def test_a_private_result_offers_to_make_it_shareable_before_copying(client, upload, katy):
    owner = User.objects.create_user("ada", password="x" * 20)
    Match.objects.update(owner=owner, visibility="private", expires_at=None)
    client.force_login(owner)
    html = client.get(katy).content.decode()
    assert "Make shareable and copy link" in html and "data-copy" not in html
    match = Match.objects.get()
    response = client.post(
        reverse("match-visibility", args=[match.token]),
        {"visibility": "unlisted", "next": f"{katy}#share"},
    )
    assert response.status_code == 302 and response["Location"] == f"{katy}#share"
    html = client.get(katy).content.decode()
    assert "Make shareable and copy link" not in html and "data-copy" in html


def test_the_browser_that_uploaded_can_delete_the_result_at_once(client, katy):
    match = Match.objects.get()
    crops = MatchFace.objects.filter(match=match).count()
    stranger = Client()
    stranger.get(katy)
    assert stranger.post(reverse("match-delete-anonymous", args=[match.token])).status_code == 404
    assert Match.objects.filter(pk=match.pk).exists()

    response = client.post(reverse("match-delete-anonymous", args=[match.token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert crops == 1 and "Your result is deleted" in html
    assert "We deleted 1 result, 1 face crop and 2 share pictures." in html
    assert not Match.objects.filter(pk=match.pk).exists()
    assert client.get(katy).status_code == 404


def test_a_result_with_an_account_is_not_deleted_by_the_anonymous_route(client, katy):
    owner = User.objects.create_user("ada", password="x" * 20)
    Match.objects.update(owner=owner)
    match = Match.objects.get()
    assert client.post(reverse("match-delete-anonymous", args=[match.token])).status_code == 404
    assert Match.objects.filter(pk=match.pk).exists()


def test_the_owner_picks_a_face_on_the_photo_itself(client, group, settings):
    settings.ROOT_URLCONF = "matching.tests.urls_with_photo"
    match = Match.objects.get()
    html = client.get(group + "?face=2").content.decode()
    assert f'<img src="/r/{match.token}/photo.jpg"' in html
    assert f'viewBox="0 0 {match.photo_width} {match.photo_height}"' in html
    for face in MatchFace.objects.filter(match=match):
        width, height = face.right - face.left, face.bottom - face.top
        box = f'<rect x="{face.left}" y="{face.top}" width="{width}" height="{height}"'
        link = html.split(f'href="?face={face.position}"')[1].split("</a>")[0]
        assert box in link and f'aria-label="Face {face.position + 1} of 3"' in link
    assert html.count('aria-current="true"') == 1
    assert 'href="?face=2" aria-label="Face 3 of 3" aria-current="true"' in html
    # Someone given the link sees the faces only if the owner allowed it.
    assert "photo.jpg" not in Client().get(group).content.decode()
    Match.objects.update(share_face=True)
    assert f'<img src="/r/{match.token}/photo.jpg"' in Client().get(group).content.decode()
