"""Error pages in the site's layout (DEBUG is off in tests, as in production)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import Match
from testkit.factories import MatchFactory

pytestmark = pytest.mark.django_db

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def assert_in_layout(response):
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'class="site-header"' in html and 'class="brand"' in html
    assert html.count("<main") == 1 and html.count("<h1") == 1
    assert 'href="#content"' in html and 'id="content"' in html


def test_a_mistyped_address_gets_the_sites_page_not_found(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_in_layout(response)
    assert "Page not found" in text(response)
    assert 'href="/"' in response.content.decode()
    assert "This result isn't available" not in text(response)


@pytest.mark.parametrize(
    "address",
    ["/r/no-such-token/", "/r/no-such-token/faces/0.jpg", "/r/no-such-token/share.jpg"],
)
def test_a_result_link_that_leads_nowhere_says_why_and_offers_a_way_in(client, address):
    response = client.get(address)
    assert response.status_code == 404
    assert_in_layout(response)
    words = text(response)
    assert "This result isn't available" in words
    assert "deleted, made private by the person who made it, or the link is wrong" in words
    assert "Find your own lookalike" in words


def test_a_private_result_looks_exactly_like_one_that_never_existed(client, django_user_model):
    owner = django_user_model.objects.create_user("ada", password="x" * 20)
    private = MatchFactory(owner=owner, visibility=Match.Visibility.PRIVATE)
    stranger = django_user_model.objects.create_user("bob", password="x" * 20)
    client.force_login(stranger)
    refused = client.get(private.get_absolute_url())
    unknown = client.get("/r/no-such-token/")
    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content
    assert "This result isn't available" in text(refused)


def test_an_unknown_api_address_answers_in_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_forbidden_admin_page_gets_the_sites_403(client, curator):
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 403
    assert_in_layout(response)
    assert "You can't open this page" in text(response)


def test_a_form_sent_without_its_csrf_token_says_what_to_do_not_why(django_user_model):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "ada", "password": "x"})
    assert response.status_code == 403
    assert_in_layout(response)
    words = text(response)
    assert "Your session expired, or the form was opened too long ago" in words
    assert "reload the page and try again" in words
    assert "CSRF" not in words and "cookie not set" not in words.lower()


def test_a_form_sent_with_a_stale_token_gets_the_same_page(django_user_model):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    response = browser.post(
        reverse("login"),
        {"username": "ada", "password": "x", "csrfmiddlewaretoken": "x" * 64},
    )
    assert response.status_code == 403
    assert "Please try that again" in text(response)


def test_a_failure_on_our_side_gets_the_sites_500_without_needing_the_request(settings):
    settings.ROOT_URLCONF = "common.tests.urls_failing"
    response = Client(raise_request_exception=False).get("/failing/")
    assert response.status_code == 500
    assert_in_layout(response)
    assert "Something went wrong on our side" in text(response)
    assert "something broke" not in response.content.decode()


def test_the_500_page_renders_with_no_context_at_all():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert VIEWPORT in html and "Something went wrong on our side" in html


def test_a_request_django_refuses_gets_the_sites_400(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_in_layout(response)
    assert "That did not work" in text(response)


def test_too_many_tries_and_too_large_keep_the_layout(client, settings):
    response = client.post(
        reverse("home"), b"x", content_type="image/jpeg", CONTENT_LENGTH=str(10**9)
    )
    assert response.status_code == 413
    assert_in_layout(response)
    assert "That file is too large" in text(response)
