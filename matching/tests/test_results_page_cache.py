"""A finished result's page as strangers see it is kept rendered, and never shown to anyone who
should see something else: the owner, a visitor who gave feedback, anyone once the result is
private, deleted or expired."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actors.models import ActorImage
from matching.models import Match
from matching.services import match_delete, match_set_visibility, matches_expire

pytestmark = pytest.mark.django_db


def headline(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def controls(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def katy(client, upload, indexed_catalogue):
    """An anonymous upload of a Katy Perry photo, made by `client`'s browser: its page's URL."""
    return upload("gallery/Katy_Perry/5.jpg")["Location"]


@pytest.fixture
def account_result(upload, indexed_catalogue):
    """An account's unlisted upload: the owner's logged-in client and the match."""
    owner = User.objects.create_user("ada", "ada@example.com", "pw-123456789")
    browser = Client()
    browser.force_login(owner)
    upload("gallery/Katy_Perry/5.jpg", as_client=browser)
    match = Match.objects.get(owner=owner)
    match_set_visibility(match, Match.Visibility.UNLISTED)
    return browser, match


def test_a_stranger_revisiting_gets_a_304_for_the_same_page(katy):
    stranger = Client()
    first = stranger.get(katy)
    assert first.status_code == 200 and headline(first.content.decode()) == "Looks like Katy Perry"
    assert first["ETag"]
    assert controls(first) == {"private", "no-cache"}  # it holds this visitor's CSRF token
    assert "Cookie" in first["Vary"]

    again = stranger.get(katy, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    # Another browser (another CSRF secret) never matches this one's ETag.
    other = Client().get(katy, headers={"If-None-Match": first["ETag"]})
    assert other.status_code == 200 and other["ETag"] != first["ETag"]


def test_strangers_are_served_the_kept_page_for_a_query_or_two(katy):
    with CaptureQueriesContext(connection) as rendering:
        first = Client().get(katy)
    with CaptureQueriesContext(connection) as kept:
        second = Client().get(katy)
    assert len(kept) <= 2 < len(rendering)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", first.content.decode()) == token.sub("", second.content.decode())
    assert "csrf-token-of-this-visitor" not in second.content.decode()


def test_the_kept_page_has_working_forms_for_each_visitor(katy):
    Client().get(katy)  # kept now
    stranger = Client(enforce_csrf_checks=True)
    html = stranger.get(katy).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    answer = stranger.post(
        katy.rstrip("/") + "/rate/",
        {"csrfmiddlewaretoken": csrf, "face": "0", "rank": "1", "verdict": "good"},
    )
    assert answer.status_code == 302
    # Having rated, the visitor sees their rating, not the page every stranger sees.
    page = stranger.get(katy).content.decode()
    assert 'value="good" class="chip" aria-pressed="true"' in page
    assert 'aria-pressed="true"' not in Client().get(katy).content.decode()


def test_a_form_sent_without_the_token_gets_the_csrf_page(katy):
    Client().get(katy)
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(katy)
    answer = stranger.post(
        katy.rstrip("/") + "/rate/", {"face": "0", "rank": "1", "verdict": "good"}
    )
    assert answer.status_code == 403


def test_the_owner_and_strangers_each_get_their_own_page(client, katy):
    stranger = Client()
    assert headline(stranger.get(katy).content.decode()) == "Looks like Katy Perry"
    own = client.get(katy)
    assert headline(own.content.decode()) == "You look like Katy Perry"
    assert "Delete this result now" in own.content.decode()
    assert controls(own) == {"private", "no-cache"} and not own.has_header("ETag")
    assert headline(stranger.get(katy).content.decode()) == "Looks like Katy Perry"
    assert "Delete this result now" not in stranger.get(katy).content.decode()


def test_a_logged_in_visitor_sees_their_own_menu_not_the_kept_page(katy):
    Client().get(katy)
    member = Client()
    member.force_login(User.objects.create_user("bob", "bob@example.com", "pw-123456789"))
    html = member.get(katy).content.decode()
    assert "Log out" in html and "Looks like Katy Perry" in html


def test_a_result_made_private_is_gone_for_strangers_at_once(account_result):
    owner, match = account_result
    stranger = Client()
    seen = stranger.get(match.get_absolute_url())
    assert seen.status_code == 200 and "Looks like Katy Perry" in seen.content.decode()

    match_set_visibility(match, Match.Visibility.PRIVATE)
    again = stranger.get(match.get_absolute_url(), headers={"If-None-Match": seen["ETag"]})
    assert again.status_code == 404
    assert Client().get(match.get_absolute_url()).status_code == 404
    # The owner still sees it, with their controls, never a kept stranger's page.
    own = owner.get(match.get_absolute_url()).content.decode()
    assert "You look like Katy Perry" in own and "Make private" not in own

    match_set_visibility(match, Match.Visibility.UNLISTED)
    assert stranger.get(match.get_absolute_url()).status_code == 200


def test_the_etag_follows_what_strangers_are_shown(account_result):
    _, match = account_result
    stranger = Client()
    before = stranger.get(match.get_absolute_url())["ETag"]
    Match.objects.filter(pk=match.pk).update(share_face=True)  # the owner now shows their face
    after = stranger.get(match.get_absolute_url(), headers={"If-None-Match": before})
    assert after.status_code == 200 and after["ETag"] != before
    assert f"/r/{match.token}/faces/0.jpg" in after.content.decode()


def test_a_deleted_result_is_gone_from_the_kept_page_too(katy):
    stranger = Client()
    seen = stranger.get(katy)
    match_delete(Match.objects.get())
    assert stranger.get(katy, headers={"If-None-Match": seen["ETag"]}).status_code == 404
    assert Client().get(katy).status_code == 404


def test_an_expired_result_says_so_to_strangers_at_once(katy, settings):
    stranger = Client()
    seen = stranger.get(katy)
    Match.objects.update(expires_at=Match.objects.get().created_at)
    assert matches_expire() == 1
    expired = stranger.get(katy, headers={"If-None-Match": seen["ETag"]})
    assert expired.status_code == 200
    assert "This result has expired" in expired.content.decode()
    assert "Katy Perry" not in expired.content.decode()


def test_each_face_and_filter_is_kept_apart(katy):
    Client().get(katy)
    note = Client().get(katy + "?face=7").content.decode()
    assert "There is no face 7 in this photo; here is face 1." in note
    assert "There is no face" not in Client().get(katy).content.decode()
    odd = Client().get(katy + "?face=banana")
    assert odd.status_code == 200 and "There is no face banana" in odd.content.decode()


def test_catalogue_photos_are_public_and_long_lived(client, small_catalogue, settings):
    image = ActorImage.objects.exclude(face_thumbnail="").first()
    photo = client.get(settings.MEDIA_URL + image.file.name)
    assert photo.status_code == 200
    assert controls(photo) == {"public", "max-age=31536000", "immutable"}  # named by its bytes
    thumbnail = client.get(settings.MEDIA_URL + image.face_thumbnail.name)
    assert thumbnail.status_code == 200
    assert controls(thumbnail) == {"public", "max-age=86400"}


def test_a_changed_setting_the_page_shows_is_not_hidden_by_the_kept_page(katy, settings):
    assert headline(Client().get(katy).content.decode()) == "Looks like Katy Perry"
    settings.LOOKALIKE_WEAK_SIMILARITY = 99.9
    assert headline(Client().get(katy).content.decode()) == "No strong lookalike for this face"
