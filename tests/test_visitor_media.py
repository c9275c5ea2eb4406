"""Visitors' files go to exactly those who may see the result; nothing else under media is public.

Who may see what: a private result, its owner; an unlisted one, anyone with the link (its face
crops only if the visitor chose to show their face); a deleted or expired one, nobody. A one-face
photo is not kept once matched, and no address under /media/ ever gives out a visitor's file.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_sendfile.utils import _get_sendfile

from accounts.models import User
from actors.models import ActorImage
from matching.models import IndexVersion, Match
from matching.services import match_delete, match_set_visibility, matches_expire

pytestmark = pytest.mark.django_db
PEOPLE = ("owner", "stranger", "anonymous")


@pytest.fixture
def people(db) -> dict[str, Client]:
    """The owner of the results, another account, and a visitor without one."""
    clients = {name: Client() for name in PEOPLE}
    clients["owner"].force_login(User.objects.create_user("ada", password="x" * 20))
    clients["stranger"].force_login(User.objects.create_user("bob", password="y" * 20))
    return clients


@pytest.fixture
def results(people, upload, indexed_catalogue, django_capture_on_commit_callbacks):
    """One result of each kind, each matched and with its files written."""

    def uploaded(as_client, photo, **fields):
        upload(photo, as_client=as_client, **fields)
        match = Match.objects.order_by("-id").first()
        assert match.status == "done" and match.share_image, match
        return match

    private = uploaded(people["owner"], "gallery/Matt_Damon/2.jpg")
    unlisted = match_set_visibility(
        uploaded(people["owner"], "gallery/Katy_Perry/2.jpg", share_face="on"),
        Match.Visibility.UNLISTED,
    )
    deleted = uploaded(people["owner"], "gallery/Barack_Obama/2.jpg")
    expired = uploaded(people["anonymous"], "gallery/Matt_Damon/3.jpg")
    gone = deleted.stored_file_names() + expired.stored_file_names()
    with django_capture_on_commit_callbacks(execute=True):
        match_delete(deleted)
        assert matches_expire(now=timezone.now() + timedelta(days=30)) == 1
    assert not any(default_storage.exists(name) for name in gone)
    assert private.visibility == "private" and private.owner.username == "ada"
    return {"private": private, "unlisted": unlisted, "deleted": deleted, "expired": expired}


def face_address(match: Match, position: int = 0) -> str:
    return reverse("match-face", args=[match.token, position])


def share_address(match: Match) -> str:
    return reverse("match-share", args=[match.token])


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


def test_face_crops_and_share_pictures_go_exactly_to_who_may_see_the_result(people, results):
    addresses = {"face crop": face_address, "share picture": share_address}
    given = {
        (kind, file): {who for who in PEOPLE if people[who].get(address(match)).status_code == 200}
        for kind, match in results.items()
        for file, address in addresses.items()
    }
    everyone = set(PEOPLE)
    assert given == {
        ("private", "face crop"): {"owner"},
        ("private", "share picture"): {"owner"},
        ("unlisted", "face crop"): everyone,
        ("unlisted", "share picture"): everyone,
        ("deleted", "face crop"): set(),
        ("deleted", "share picture"): set(),
        ("expired", "face crop"): set(),
        ("expired", "share picture"): set(),
    }
    # What they get is the file itself, and a refusal looks like a token that does not exist.
    private = results["private"]
    answer = people["owner"].get(face_address(private))
    assert answer["Content-Type"] == "image/jpeg"
    assert b"".join(answer) == stored_bytes(private.faces.get().crop.name)
    share = people["owner"].get(share_address(private))
    assert b"".join(share) == stored_bytes(private.share_image.name)
    refused = people["stranger"].get(face_address(private))
    unknown = people["stranger"].get(reverse("match-face", args=["no-such-token", 0]))
    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content.replace(b"no-such-token", private.token.encode())


def test_visitors_files_have_no_address_under_media(people, results, settings):
    def addresses(match: Match) -> list[str]:
        key, token = match.storage_key, match.token
        return [
            f"/media/visitors/{key}/photo.jpg",
            f"/media/visitors/{key}/face-0.jpg",
            f"/media/visitors/{key}/share.jpg",
            f"/media/visitors/{key}/original",
            f"/media/visitors/{key}/",
            "/media/visitors/",
            "/media/",
            f"/media/actors/../visitors/{key}/photo.jpg",
            f"/media/actors/%2e%2e/visitors/{key}/photo.jpg",
            f"/media/actors/..%2fvisitors/{key}/photo.jpg",
            f"/media/actors/faces/../../visitors/{key}/photo.jpg",
            f"/media//visitors/{key}/photo.jpg",
            # Where files were named after the token, before storage keys.
            f"/media/matches/{token}.jpg",
            f"/media/faces/{token}/0.jpg",
            f"/media/shares/{token}.jpg",
            f"/r/{token}/photo.jpg",
            f"/r/{token}/original",
            f"/r/{token}/faces/../photo.jpg",
            f"/r/{token}/faces/1.jpg",
            f"/r/{token}/faces/-1.jpg",
            f"/r/{key}/faces/0.jpg",
            f"/r/{key}/share.jpg",
        ]

    for kind in ("private", "unlisted"):
        # A one-face photo is deleted once matched; its crop is there, and still only at its
        # checked address.
        assert not results[kind].photo
        assert not (Path(settings.MEDIA_ROOT) / results[kind].file_name("photo")).exists()
        assert (Path(settings.MEDIA_ROOT) / results[kind].faces.get().crop.name).is_file()
    served = [
        (who, address, response.status_code)
        for match in results.values()
        for address in addresses(match)
        for who in PEOPLE
        if (response := people[who].get(address)).status_code != 404
    ]
    assert served == []


def test_cache_headers_fit_who_may_have_the_file(people, results):
    private = people["owner"].get(face_address(results["private"]))
    controls = {part.strip() for part in private["Cache-Control"].split(",")}
    assert controls == {"private", "no-cache"}  # never a shared cache; revalidated every time
    assert "Cookie" in private["Vary"] and private["X-Robots-Tag"] == "noindex"
    unlisted = people["anonymous"].get(share_address(results["unlisted"]))
    # A share picture of an unlisted result: any cache, for LOOKALIKE_SHARE_PICTURE_MAX_AGE.
    assert {part.strip() for part in unlisted["Cache-Control"].split(",")} == {
        "public",
        f"max-age={settings.LOOKALIKE_SHARE_PICTURE_MAX_AGE}",
        "must-revalidate",
    }

    # Revalidating costs a 304 to whoever may still have the file, and nobody else gets one.
    etag = private["ETag"]
    assert (
        people["owner"].get(face_address(results["private"]), HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )
    for who in ("stranger", "anonymous"):
        again = people[who].get(face_address(results["private"]), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 404


def test_making_a_result_private_revokes_its_files_at_once(people, results):
    match = results["unlisted"]
    seen = {who: people[who].get(face_address(match)) for who in PEOPLE}
    assert all(response.status_code == 200 for response in seen.values())
    assert people["anonymous"].get(share_address(match)).status_code == 200

    switch = reverse("match-visibility", args=[match.token])
    people["owner"].post(switch, {"visibility": "private"})

    for who in ("stranger", "anonymous"):
        client = people[who]
        assert client.get(match.get_absolute_url()).status_code == 404
        assert client.get(share_address(match)).status_code == 404
        # A cache asking whether its copy is still good is told the file is gone.
        etag = seen[who]["ETag"]
        assert client.get(face_address(match), HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert people["owner"].get(face_address(match)).status_code == 200
    assert people["owner"].get(share_address(match)).status_code == 200


def test_pages_link_visitors_files_at_their_checked_addresses(people, results):
    match = results["private"]
    page = people["owner"].get(match.get_absolute_url()).content.decode()
    assert f'src="{face_address(match)}"' in page
    card = f"http://testserver{share_address(match)}"
    assert f'property="og:image" content="{card}"' in page
    assert f'class="share-preview" src="{share_address(match)}"' in page
    listing = people["owner"].get(reverse("my-matches")).content.decode()
    assert f'src="{face_address(match)}"' in listing
    for html in (page, listing):
        assert "/media/visitors" not in html and match.storage_key not in html


@pytest.fixture
def delivered_by(settings):
    """Switch how allowed files are sent, as LOOKALIKE_MEDIA_ACCEL would at start-up."""

    def use(mode: str, prefix: str = "/internal-media/"):
        settings.LOOKALIKE_MEDIA_ACCEL = mode
        settings.SENDFILE_BACKEND = settings.MEDIA_ACCEL_BACKENDS[mode]
        settings.SENDFILE_URL = prefix
        _get_sendfile.cache_clear()  # the library picks its backend once per process

    yield use
    _get_sendfile.cache_clear()


def test_nginx_is_handed_the_file_after_the_check(people, results, delivered_by):
    delivered_by("nginx", prefix="/protected-media/")
    match = results["private"]
    answer = people["owner"].get(face_address(match))
    assert answer.status_code == 200 and answer.content == b""
    assert answer["X-Accel-Redirect"] == f"/protected-media/{match.faces.get().crop.name}"
    assert answer["X-Accel-Redirect"] == f"/protected-media/visitors/{match.storage_key}/face-0.jpg"
    assert "private" in answer["Cache-Control"]  # nginx passes this header on
    share = people["owner"].get(share_address(match))
    assert share["X-Accel-Redirect"] == f"/protected-media/{match.share_image.name}"
    for who in ("stranger", "anonymous"):
        refused = people[who].get(face_address(match))
        assert refused.status_code == 404 and not refused.has_header("X-Accel-Redirect")
    gone = people["owner"].get(face_address(results["deleted"]))
    assert gone.status_code == 404 and not gone.has_header("X-Accel-Redirect")


def test_an_x_sendfile_server_is_handed_the_files_path(people, results, delivered_by, settings):
    delivered_by("sendfile")
    match = results["unlisted"]
    answer = people["anonymous"].get(share_address(match))
    assert answer.status_code == 200 and answer.content == b""
    assert answer["X-Sendfile"] == str(Path(settings.MEDIA_ROOT) / match.share_image.name)
    refused = people["anonymous"].get(share_address(results["private"]))
    assert refused.status_code == 404 and not refused.has_header("X-Sendfile")


def test_catalogue_photos_stay_public_and_index_files_are_not_served(people, indexed_catalogue):
    image = ActorImage.objects.first()
    for field in (image.face_thumbnail, image.file):
        answer = people["anonymous"].get(field.url)
        assert answer.status_code == 200, field.url
        assert b"".join(answer.streaming_content) == stored_bytes(field.name)

    version = IndexVersion.objects.get(state="active")
    index_file = f"{version.storage_prefix}/vectors.npy"
    assert default_storage.exists(index_file)
    for address in (
        f"/media/{index_file}",
        f"/media/actors/../{index_file}",
        f"/media/actors/%2e%2e/{index_file}",
        f"/media/{version.storage_prefix}/",
        "/media/indexes/",
    ):
        assert people["anonymous"].get(address).status_code == 404, address
