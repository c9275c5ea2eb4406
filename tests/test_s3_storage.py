"""Media and index files on S3-compatible storage: a real S3 server (moto) on loopback."""

from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import boto3
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from actors.models import ActorImage
from actors.services import gallery_import
from matching.active_index import active_index
from matching.models import Match
from matching.selectors import photo_match
from matching.services import index_build

BUCKET = "lookalike-test"


@pytest.fixture
def s3(settings):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "file_overwrite": False,
                "signature_version": "s3v4",
            },
        },
    }
    yield client
    server.stop()


@pytest.mark.django_db
def test_photos_and_index_live_on_s3_and_are_served_from_there(s3, make_gallery, faces_dir):
    root = make_gallery(
        {p: [f"gallery/{p}/{n}.jpg" for n in (1, 2, 3)] for p in ("Matt_Damon", "Katy_Perry")}
    )
    assert gallery_import(root).added == 6
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    image = ActorImage.objects.first()
    assert image.file.name in keys and image.face_thumbnail.name in keys

    version = index_build()
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert f"{version.storage_prefix}/vectors.npy" in keys
    assert f"{version.storage_prefix}/codes.faiss" in keys

    loaded = active_index()  # S3 has no local path: the files are fetched into the cache
    assert loaded.version_id == version.pk and len(loaded.index) == 6
    match = photo_match((faces_dir / "gallery" / "Matt_Damon" / "4.jpg").read_bytes())
    assert match.faces[0].matches[0].actor == "Matt Damon"


@pytest.mark.django_db
def test_visitors_files_are_signed_addresses_given_only_to_who_may_see_them(
    s3, make_gallery, upload, settings, django_user_model
):
    settings.LOOKALIKE_MEDIA_SIGNED_URL_SECONDS = 45
    root = make_gallery({p: [f"gallery/{p}/{n}.jpg" for n in (1, 2)] for p in ("Matt_Damon",)})
    gallery_import(root)
    index_build()
    owner, stranger = Client(), Client()
    owner.force_login(django_user_model.objects.create_user("ada", password="x" * 20))
    stranger.force_login(django_user_model.objects.create_user("bob", password="y" * 20))
    upload("gallery/Matt_Damon/3.jpg", as_client=owner)
    match = Match.objects.get()
    assert match.visibility == "private" and match.status == "done"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {match.faces.get().crop.name, match.share_image.name} <= keys

    for address, name in (
        (reverse("match-face", args=[match.token, 0]), match.faces.get().crop.name),
        (reverse("match-share", args=[match.token]), match.share_image.name),
    ):
        answer = owner.get(address)
        assert answer.status_code == 302 and "private" in answer["Cache-Control"]
        signed = urlsplit(answer["Location"])
        query = parse_qs(signed.query)
        assert signed.path == f"/{BUCKET}/{name}"
        assert query["X-Amz-Expires"] == ["45"] and query["X-Amz-Signature"]
        with urlopen(answer["Location"]) as reply:  # the object store, over loopback
            body = reply.read()
        assert body == s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()
        for who in (stranger, Client()):
            refused = who.get(address)
            assert refused.status_code == 404 and not refused.has_header("Location")

    # A story picture to save: the signed address makes the object store send it as a file.
    story = owner.get(reverse("match-face-story", args=[match.token, 0]) + "?download=1")
    assert story.status_code == 302
    with urlopen(story["Location"]) as reply:
        assert reply.headers["Content-Disposition"] == (
            'attachment; filename="lookalike-matt-damon-story.jpg"'
        )
        assert (
            reply.read()
            == s3.get_object(Bucket=BUCKET, Key=match.faces.get().story_image.name)["Body"].read()
        )
