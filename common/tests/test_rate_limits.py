"""Rate limits count the client the deployment can trust, and every body type."""

import io
import os
from pathlib import Path

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery 42"


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        limits = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": limits}

    return set_rates


FACES = Path(__file__).resolve().parents[3] / "shared" / "faces"
PHOTO = Path(os.environ.get("LOOKALIKE_FACES_DIR", FACES)) / "gallery" / "Matt_Damon" / "2.jpg"


def junk():
    handle = io.BytesIO(b"not a photo")
    handle.name = "x.jpg"
    return handle


def photo():
    handle = io.BytesIO(PHOTO.read_bytes())
    handle.name = "me.jpg"
    return handle


def api_upload(client, file=photo, **headers):
    return client.post("/api/v1/matches/", {"image": file()}, **headers).status_code


def web_upload(client, file=photo, **headers):
    return client.post("/", {"photo": file()}, **headers).status_code


# Only accepted uploads count against the limits (a 202 from the API, a 302 from the form).
ACCEPTED = {api_upload: 202, web_upload: 302}


@pytest.mark.parametrize("send", [api_upload, web_upload], ids=["api", "web"])
def test_a_forged_forwarded_for_header_does_not_reset_the_upload_limit(client, rates, send):
    rates(uploads="3/hour", uploads_api_anonymous="100/hour")
    codes = [send(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}") for n in range(5)]
    ok = ACCEPTED[send]
    assert codes == [ok, ok, ok, 429, 429]


@pytest.mark.parametrize("send", [api_upload, web_upload], ids=["api", "web"])
def test_refused_and_empty_uploads_do_not_count(client, rates, send):
    rates(uploads="2/hour", uploads_api_anonymous="2/hour")
    refused = [send(client, junk) for _ in range(4)]
    empty = [client.post("/api/v1/matches/" if send is api_upload else "/", {}).status_code]
    accepted = [send(client) for _ in range(3)]
    ok = ACCEPTED[send]
    assert refused == [400] * 4 and empty == [400]
    assert accepted == [ok, ok, 429]
    # Over the limit, even a refused one is told to wait.
    assert send(client, junk) == 429


def test_behind_a_proxy_the_address_it_saw_is_the_client(client, rates, settings):
    rates(uploads="2/hour", uploads_api_anonymous="100/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The proxy appends the address it saw; whatever the client wrote before it is not trusted.
    first = [api_upload(client, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7") for n in range(3)]
    other_client = api_upload(client, HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.8")
    assert first == [202, 202, 429] and other_client == 202


def test_login_by_address_ignores_forwarded_for(client, rates):
    rates(login_address="3/hour", login_username="100/hour")
    codes = [
        client.post(
            "/accounts/login/",
            {"username": f"user{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_api_token_guessing_with_json_bodies_is_limited_per_user_name(client, rates):
    rates(login_username="3/hour", login_address="100/hour")
    User.objects.create_user("ada", "ada@example.org", PASSWORD)

    def token(username, password, forwarded_for):
        return client.post(
            "/api/v1/auth/token/",
            {"username": username, "password": password},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    wrong = [token(" ADA ", "wrong", f"198.51.100.{n}").status_code for n in range(3)]
    right = token("ada", PASSWORD, "198.51.100.99")
    assert wrong == [400, 400, 400]
    assert right.status_code == 429 and "token" not in right.json()
    assert right.json()["error"]["code"] == "throttled"


def test_a_json_body_that_is_not_an_object_is_refused_not_crashed(client):
    response = client.post("/api/v1/auth/token/", ["ada"], content_type="application/json")
    assert response.status_code == 400
