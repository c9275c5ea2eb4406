"""API clients with an account: a token, their uploads kept private, a looser limit."""

import pytest

from accounts.models import User
from matching.models import Match

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery 42"


def test_token_upload_is_owned_private_and_readable_only_with_the_token(
    client, upload, indexed_catalogue
):
    ada = User.objects.create_user("ada", "ada@example.org", PASSWORD)
    response = client.post("/api/v1/auth/token/", {"username": "ada", "password": PASSWORD})
    token = response.json()["token"]
    auth = {"Authorization": f"Token {token}"}
    created = upload(api=True, headers=auth)
    assert created.status_code == 202
    match = Match.objects.get()
    assert match.owner == ada and match.visibility == "private" and match.expires_at is None
    assert client.get(created["Location"], headers=auth).json()["status"] == "done"
    assert client.get(created["Location"]).status_code == 404


def test_a_wrong_password_gets_no_token(client, db):
    User.objects.create_user("ada", "ada@example.org", PASSWORD)
    response = client.post("/api/v1/auth/token/", {"username": "ada", "password": "nope"})
    assert response.status_code == 400 and "token" not in response.json()


def test_anonymous_api_uploads_are_limited_harder_than_accounts(client, upload, db, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **rates,
            "uploads": "100/hour",
            "uploads_api_anonymous": "1/hour",
            "uploads_account": "3/hour",
        },
    }
    # Only accepted uploads count: a refused one costs nothing.
    assert upload(b"not a photo", api=True).status_code == 400
    assert upload(api=True, run_task=False).status_code == 202
    assert upload(api=True, run_task=False).status_code == 429
    user = User.objects.create_user("ada", "ada@example.org", PASSWORD)
    client.force_login(user)
    answers = [upload(api=True, run_task=False).status_code for _ in range(4)]
    assert answers == [202, 202, 202, 429]
