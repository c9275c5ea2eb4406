"""The account pages read well: help and errors where they belong, counts in the right number."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from matching.models import Match
from testkit.factories import MatchFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def row_of(html: str, field: str) -> str:
    """The form row holding the field `id_<field>`: its label, input, errors and help."""
    rows = html.split('<div class="form-row')[1:]
    return next(row for row in rows if f'id="id_{field}"' in row)


def test_every_help_text_has_the_id_its_field_points_at(client):
    html = client.get(reverse("signup")).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described, "the fields point at their help texts"
    for ids in described:
        for target in ids.split():
            assert html.count(f'id="{target}"') == 1, target
    assert 'id="id_password1_helptext"' in html and 'id="id_email_helptext"' in html


def test_password_rule_errors_go_under_the_password_not_the_confirmation(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": "password",
            "password2": "password",
        },
    )
    html = response.content.decode()
    password = row_of(html, "password1")
    confirmation = row_of(html, "password2")
    assert "This password is too common." in password
    assert "This password is too common." not in confirmation
    assert 'aria-invalid="true"' in password
    assert re.search(
        r'id="id_password1"[^>]*aria-describedby="[^"]*id_password1_error', password
    ) or re.search(
        r'aria-describedby="[^"]*id_password1_error[^"]*"[^>]*id="id_password1"', password
    )
    assert 'id="id_password1_error"' in password
    assert "Please correct the problem below." in text(response)
    assert not User.objects.exists()


def test_a_mismatch_goes_under_the_confirmation(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )
    html = response.content.decode()
    assert "didn’t match" in row_of(html, "password2")
    assert "didn’t match" not in row_of(html, "password1")


def test_a_new_password_on_reset_or_change_gets_its_errors_under_itself(client):
    user = User.objects.create_user("ada", "ada@example.org", PASSWORD)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    html = response.content.decode()
    assert "This password is too common." in row_of(html, "new_password1")
    assert "This password is too common." not in row_of(html, "new_password2")


def test_sign_up_says_the_browsers_earlier_results_join_the_account_and_stay_shared(
    client, upload, indexed_catalogue
):
    words = text(client.get(reverse("signup")))
    assert "the results you make are private" in words
    assert "Results you made in this browser before signing up join your account" in words
    upload()
    words = text(client.get(reverse("signup")))
    assert "The result you made in this browser before signing up joins your account" in words
    upload()
    words = text(client.get(reverse("signup")))
    assert "The 2 results you made in this browser before signing up join your account" in words
    assert "keep working for anyone you sent them to, until you make them private" in words


@pytest.fixture
def ada(client):
    user = User.objects.create_user("ada", "ada@example.org", PASSWORD)
    client.force_login(user)
    return user


def test_my_matches_counts_results_in_words(client, ada):
    MatchFactory(owner=ada)
    assert "1 result, newest first." in text(client.get(reverse("my-matches")))
    MatchFactory(owner=ada)
    words = text(client.get(reverse("my-matches")))
    assert "2 results, newest first." in words
    assert "Page 1 of" not in words  # one page needs no page links


def test_account_and_delete_pages_count_results_in_words(client, ada):
    MatchFactory(owner=ada)
    assert "(1 result)" in text(client.get(reverse("account")))
    assert "your 1 result with its photo," in text(client.get(reverse("account-delete")))
    MatchFactory(owner=ada)
    assert "(2 results)" in text(client.get(reverse("account")))
    assert "your 2 results with their photos," in text(client.get(reverse("account-delete")))


def test_deleting_an_empty_account_does_not_list_zeros(client, ada):
    response = client.post(reverse("account-delete"), {"password": PASSWORD})
    words = text(response)
    assert "We deleted the account ada ." in words
    assert re.search(r"\b0 ", words) is None


def test_visibility_messages_say_who_can_see_the_result(client, ada):
    match = MatchFactory(owner=ada, visibility=Match.Visibility.UNLISTED)
    url = reverse("match-visibility", args=[match.token])
    words = text(client.post(url, {"visibility": "private"}, follow=True))
    assert "That result is now private: only you can see it." in words
    words = text(client.post(url, {"visibility": "unlisted"}, follow=True))
    assert "Anyone with the link can now see that result." in words
