"""Content-Security-Policy: on every kind of answer, and the pages keep to it."""

import re
from urllib.parse import urlsplit

import boto3
import pytest
from django.urls import reverse

from actors.models import ActorImage
from matching.models import Match

pytestmark = pytest.mark.django_db

SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# What the policy would block: inline scripts and handlers, inline styles and style attributes.
INLINE = [
    re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    re.compile(r"<style[\s>]", re.I),
    re.compile(r"\sstyle=", re.I),
    re.compile(r"\son[a-z]+=", re.I),
    re.compile(r"javascript:", re.I),
]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";")]
    return {name: sources for name, *sources in directives}


def assert_keeps_to_the_policy(response) -> str:
    assert policy(response) == SITE_POLICY
    html = response.content.decode()
    for pattern in INLINE:
        assert not pattern.search(html), f"{pattern.pattern}: {pattern.search(html).group(0)}"
    return html


def test_home_and_privacy_pages(client):
    assert_keeps_to_the_policy(client.get(reverse("home")))
    assert_keeps_to_the_policy(client.get(reverse("privacy")))


def test_results_page_and_its_owner_controls(client, upload, indexed_catalogue, django_user_model):
    user = django_user_model.objects.create_user("ada", password="a long passphrase 42")
    client.force_login(user)
    location = upload("extras/group_obama_and_biden.jpg")["Location"]
    html = assert_keeps_to_the_policy(client.get(location))
    assert '<svg class="bar"' in html and 'data-confirm="Delete this result' in html
    html = assert_keeps_to_the_policy(client.get(reverse("my-matches")))
    assert 'data-confirm="Delete this result' in html


def test_refusals_keep_to_it_too(client, settings):
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 10
    too_large = client.post(reverse("home"), {"example": "madonna"})
    assert too_large.status_code == 413
    assert_keeps_to_the_policy(too_large)
    assert_keeps_to_the_policy(client.get("/r/no-such-token/"))


def test_admin_pages(admin_client, small_catalogue):
    image = ActorImage.objects.first()
    for url in [
        reverse("admin:index"),
        reverse("admin:matching_indexversion_changelist"),
        reverse("admin:moderation_flag_changelist"),
        reverse("admin:actors_actorimage_change", args=[image.pk]),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_keeps_to_the_policy(response)
    html = admin_client.get(reverse("admin:matching_indexversion_changelist")).content.decode()
    assert "css/admin.css" in html  # the styles that used to be inline


def test_api_answers(client):
    for response in [
        client.get("/api/v1/actors/"),
        client.get("/api/v1/matches/no-such-token/"),
        client.get("/api/schema/", {"format": "json"}),
    ]:
        assert policy(response) == SITE_POLICY


@pytest.fixture
def s3_media(settings):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="lookalike-csp")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "lookalike-csp",
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
            },
        },
    }
    yield endpoint
    server.stop()


def test_images_from_s3_media_are_allowed(s3_media, client, upload, indexed_catalogue):
    location = upload("gallery/Matt_Damon/3.jpg")["Location"]
    response = client.get(location)
    html = response.content.decode()
    sources = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert len(sources) >= 3  # the visitor's face and the actors' photos
    # Catalogue photos come straight from the storage; the visitor's face from the site, which
    # redirects to a signed storage address (a redirect's target must be allowed too).
    origins = {
        f"{urlsplit(s).scheme}://{urlsplit(s).netloc}" for s in sources if urlsplit(s).netloc
    }
    assert origins == {s3_media}
    face = next(s for s in sources if "/faces/" in s and not urlsplit(s).netloc)
    redirect = client.get(face)
    assert redirect.status_code == 302 and redirect["Location"].startswith(s3_media)
    assert policy(response)["img-src"] == ["'self'", "blob:", s3_media]
    assert Match.objects.get().status == "done"
