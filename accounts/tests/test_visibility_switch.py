"""The visibility switch goes back where the form came from, on this site only."""

import pytest
from django.urls import reverse

from accounts.models import User
from matching.models import Match

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_match(client):
    ada = User.objects.create_user("ada", "ada@example.org", "correct horse battery 42")
    client.force_login(ada)
    return Match.objects.create(owner=ada, status=Match.Status.DONE)


def switch(client, match, next_url):
    url = reverse("match-visibility", args=[match.token])
    return client.post(url, {"visibility": "private", "next": next_url})


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/phish", "//evil.example/phish", "https:evil.example", "javascript:x"],
)
def test_next_pointing_off_the_site_is_ignored(client, own_match, next_url):
    response = switch(client, own_match, next_url)
    assert response.status_code == 302 and response["Location"] == reverse("my-matches")
    own_match.refresh_from_db()
    assert own_match.visibility == "private"


def test_next_on_this_site_is_followed(client, own_match):
    page = own_match.get_absolute_url()
    assert switch(client, own_match, page)["Location"] == page
