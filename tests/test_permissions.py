"""Who may see and change what: every results page, API read, visibility change and delete,
for a visitor, the owner, another member and a staff member."""

import pytest
from django.urls import reverse

from accounts.models import User
from matching.models import Match
from testkit.factories import MatchFactory

pytestmark = pytest.mark.django_db

PEOPLE = ["visitor", "owner", "other", "staff"]
# Expected answers: results page and API read, per visibility; then changes, per person.
SEE = {
    "unlisted": {"visitor": 200, "owner": 200, "other": 200, "staff": 200},
    "private": {"visitor": 404, "owner": 200, "other": 404, "staff": 404},
}
CHANGE = {"visitor": "login", "owner": 302, "other": 404, "staff": 404}


@pytest.fixture
def people(client):
    owner = User.objects.create_user("owner", password="x" * 20)
    User.objects.create_user("other", password="x" * 20)
    User.objects.create_user("staff", password="x" * 20, is_staff=True)
    return owner


def as_person(client, person):
    if person != "visitor":
        client.force_login(User.objects.get(username=person))
    return client


def make_match(owner, visibility):
    return MatchFactory(owner=owner, visibility=visibility)


@pytest.mark.parametrize("visibility", ["unlisted", "private"])
@pytest.mark.parametrize("person", PEOPLE)
def test_who_sees_a_result(client, people, person, visibility):
    match = make_match(people, visibility)
    client = as_person(client, person)
    expected = SEE[visibility][person]
    assert client.get(f"/r/{match.token}/").status_code == expected
    api = client.get(f"/api/v1/matches/{match.token}/")
    assert api.status_code == expected
    if expected == 404:  # exactly what an unknown token gets: its existence is not revealed
        assert api.json() == client.get("/api/v1/matches/no-such-token/").json()


@pytest.mark.parametrize("visibility", ["unlisted", "private"])
@pytest.mark.parametrize("person", PEOPLE)
def test_who_changes_visibility(client, people, person, visibility):
    match = make_match(people, visibility)
    other = "private" if visibility == "unlisted" else "unlisted"
    response = as_person(client, person).post(
        reverse("match-visibility", args=[match.token]), {"visibility": other}
    )
    _check_change(response, person)
    changed = Match.objects.get(pk=match.pk).visibility == other
    assert changed == (person == "owner")


@pytest.mark.parametrize("visibility", ["unlisted", "private"])
@pytest.mark.parametrize("person", PEOPLE)
def test_who_deletes(client, people, person, visibility):
    match = make_match(people, visibility)
    response = as_person(client, person).post(reverse("match-delete", args=[match.token]))
    _check_change(response, person)
    assert Match.objects.filter(pk=match.pk).exists() == (person != "owner")


@pytest.mark.parametrize("person", ["owner", "other", "staff"])
def test_nobody_owns_an_anonymous_upload(client, people, person):
    match = make_match(None, "unlisted")
    client = as_person(client, person)
    assert client.post(reverse("match-delete", args=[match.token])).status_code == 404
    response = client.post(
        reverse("match-visibility", args=[match.token]), {"visibility": "private"}
    )
    assert response.status_code == 404
    assert Match.objects.get(pk=match.pk).visibility == "unlisted"


@pytest.mark.parametrize("person", PEOPLE)
def test_my_matches_lists_only_ones_own(client, people, person):
    mine = make_match(people, "private")
    response = as_person(client, person).get(reverse("my-matches"))
    if person == "visitor":
        assert response.status_code == 302 and reverse("login") in response["Location"]
        return
    assert response.status_code == 200
    assert (mine.token in response.content.decode()) == (person == "owner")


@pytest.mark.parametrize("person", PEOPLE)
def test_only_staff_reach_the_admin(client, people, person):
    response = as_person(client, person).get("/admin/")
    if person == "staff":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def _check_change(response, person):
    expected = CHANGE[person]
    if expected == "login":
        assert response.status_code == 302 and reverse("login") in response["Location"]
    else:
        assert response.status_code == expected
