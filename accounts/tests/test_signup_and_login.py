"""Signing up, logging in and out, passwords: Django's own machinery, wired to our pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from matching.models import Match

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"


def sign_up(client, username="ada", email="ada@example.org", password=PASSWORD):
    return client.post(
        reverse("signup"),
        {"username": username, "email": email, "password1": password, "password2": password},
    )


def test_signing_up_logs_in_and_keeps_this_browsers_uploads(client, upload, indexed_catalogue):
    location = upload()["Location"]
    before = Match.objects.get()
    assert before.owner is None and before.expires_at is not None

    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == reverse("my-matches")
    user = User.objects.get(username="ada")
    claimed = Match.objects.get()
    assert claimed.owner == user and claimed.expires_at is None
    assert claimed.visibility == "unlisted"  # the link they may have shared keeps working
    page = client.get(reverse("my-matches")).content.decode()
    assert location in page and "Matt Damon" in page


def test_another_browsers_uploads_are_not_claimed(client, upload, indexed_catalogue):
    from django.test import Client

    stranger = Client()
    upload(as_client=stranger)
    assert sign_up(client).status_code == 302
    assert User.objects.filter(username="ada").exists()
    assert Match.objects.get().owner is None


def test_weak_passwords_are_refused(client, db):
    response = sign_up(client, password="password")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_logging_in_and_out(client, db):
    User.objects.create_user("ada", "ada@example.org", PASSWORD)
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("my-matches")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("my-matches")).status_code == 302


def test_password_reset_by_email(client, db):
    User.objects.create_user("ada", "ada@example.org", PASSWORD)
    client.post(reverse("password_reset"), {"email": "ada@example.org"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    new = "another quite long passphrase 7"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert User.objects.get().check_password(new)


def test_password_change(client, db):
    user = User.objects.create_user("ada", "ada@example.org", PASSWORD)
    client.force_login(user)
    new = "a different long passphrase 9"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_login_attempts_are_limited(client, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_username": "3/hour",
        },
    }
    User.objects.create_user("ada", "ada@example.org", PASSWORD)
    codes = [
        client.post(reverse("login"), {"username": "ada", "password": "wrong"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 200]
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Please try again in" in response.content.decode()


def test_the_sign_up_and_privacy_pages_say_what_happens_to_earlier_uploads(client, db):
    for page in (reverse("signup"), reverse("privacy")):
        text = " ".join(client.get(page).content.decode().split())
        assert "keep working for anyone" in text and "make them private" in text
