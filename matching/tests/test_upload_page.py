"""The public flow in one process (Celery runs tasks in-process without a broker)."""

import hashlib
import io
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from actors.models import ActorImage
from matching.models import Match, MatchFace, Resemblance
from matching.services import index_build
from matching.tasks import match_run
from testkit.photos import (
    REFUSED_FORMATS,
    animated_png,
    collage,
    heic,
    in_format,
    one_colour_png,
    phone_photo,
    png_bomb,
    with_gps_exif,
)
from testkit.servers import REPO, project_env, read_answer

pytestmark = pytest.mark.django_db


def media_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def visitor_file_names(settings) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "visitors"
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_home_page_explains_and_offers_camera_and_examples(client):
    page = client.get(reverse("home")).content.decode()
    assert "Which film actor do you look like?" in page
    assert "without location data" in page and reverse("privacy") in page
    accept = re.search(r'<input[^>]+type="file"[^>]+accept="([^"]+)"[^>]+capture="user"', page)
    types = set(accept.group(1).split(","))
    assert {t for t in types if t.startswith("image/")} == {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "image/heif",
    }
    assert len(re.findall(r'name="example" value="[a-z-]+"', page)) == 6
    assert "share_face" in page


def test_a_gallery_photo_lands_on_a_results_page_naming_the_actor(
    client, upload, indexed_catalogue
):
    data = (Path(indexed_catalogue) / "Katy_Perry").iterdir().__next__().read_bytes()
    response = upload(data)
    assert response.status_code == 302
    match = Match.objects.get()
    assert response["Location"] == f"/r/{match.token}/"
    assert len(match.token) >= 22  # 24 random bytes, base64: 192 bits

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'data-status="done"' in html and "You look like Katy Perry" in html
    face = MatchFace.objects.get(match=match)
    assert f'src="/r/{match.token}/faces/0.jpg"' in html
    assert match.storage_key not in html  # where the files are stays unknown to visitors
    ranks = list(Resemblance.objects.filter(face=face).order_by("rank"))
    assert [r.actor_name for r in ranks][0] == "Katy Perry" and len(ranks) == 3
    assert ranks[0].reference_image.face_thumbnail.url in html
    assert f"{ranks[0].similarity:.0f}%" in html


def test_the_upload_answers_before_matching_and_the_page_follows_the_worker(
    client, upload, indexed_catalogue
):
    """The visitor lands on the page at once, while the photo waits for the worker; the page
    says so and follows the worker, then shows the result once the task has run."""
    response = upload("gallery/Katy_Perry/5.jpg", run_task=False)
    assert response.status_code == 302
    match = Match.objects.get()
    assert match.status == "queued" and not match.faces.exists()
    waiting = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in waiting and "Looking at your photo" in waiting
    assert "This page updates by itself" in waiting and "You look like" not in waiting

    match_run.delay(match.pk)  # what the worker receives once the upload has committed
    done = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in done and "You look like Katy Perry" in done
    assert "Looking at your photo" not in done


def test_results_page_carries_share_tags_and_a_share_image(
    client, upload, indexed_catalogue, faces_dir
):
    data = (faces_dir / "gallery" / "Matt_Damon" / "2.jpg").read_bytes()
    token = upload(data)["Location"].split("/")[2]
    html = client.get(f"/r/{token}/").content.decode()
    match = Match.objects.get(token=token)
    assert 'property="og:title" content="Looks' in html and "Matt Damon" in html
    assert f'property="og:image" content="http://testserver/r/{token}/share.jpg"' in html
    assert f'name="twitter:image" content="http://testserver/r/{token}/share.jpg"' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'property="og:url" content="http://testserver/r/{token}/"' in html
    with default_storage.open(match.share_image.name) as handle:
        assert Image.open(handle).size == (1200, 630)
    assert "data-copy" in html  # the copy-link button


def test_visitor_face_is_on_the_share_image_only_when_asked(
    client, upload, indexed_catalogue, faces_dir
):
    data = (faces_dir / "gallery" / "Matt_Damon" / "3.jpg").read_bytes()
    without = Match.objects.get(token=upload(data)["Location"].split("/")[2])
    with_face = Match.objects.get(token=upload(data, share_face="on")["Location"].split("/")[2])
    assert not without.share_face and with_face.share_face

    def left_tile(match):
        with default_storage.open(match.share_image.name) as handle:
            card = Image.open(handle).convert("RGB")
        return np.asarray(card.crop((60, 150, 390, 480)).resize((32, 32)), dtype=float)

    # Without consent the left of the card is the actor's photo; with it, the visitor's face.
    assert np.abs(left_tile(without) - left_tile(with_face)).mean() > 10


def test_stored_copy_has_no_exif_and_the_original_is_not_kept(
    client, upload, indexed_catalogue, faces_dir, settings
):
    original = with_gps_exif((faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes())
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    upload(original, run_task=False)  # once matched, a one-face photo is not kept at all
    match = Match.objects.get()
    with default_storage.open(match.photo.name) as handle:
        stored = handle.read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    digest = hashlib.sha256(original).hexdigest()
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() != digest for p in media_files(settings))


def test_big_photos_are_stored_at_the_configured_size(
    client, upload, indexed_catalogue, faces_dir, settings
):
    upload((faces_dir / "extras" / "very_large_4600px_clooney.jpg").read_bytes())
    match = Match.objects.get()
    assert max(match.photo_width, match.photo_height) == settings.LOOKALIKE_STORED_PHOTO_SIZE
    assert match.status == "done"


def test_heic_from_an_iphone_is_accepted(client, upload, indexed_catalogue, faces_dir):
    data = heic((faces_dir / "gallery" / "Barack_Obama" / "2.jpg").read_bytes())
    response = upload(data, name="IMG_0001.HEIC")
    assert response.status_code == 302
    assert Match.objects.get().faces.get().resemblances.first().actor_name == "Barack Obama"


def test_webp_and_png_are_accepted(client, upload, indexed_catalogue, faces_dir):
    for name in ("webp_bytes_named_jpg_scarlett.jpg", "alpha_png_32bit_obama.png"):
        response = upload((faces_dir / "extras" / name).read_bytes(), name=name)
        assert response.status_code == 302, name
    assert Match.objects.filter(status="done").count() == 2


def test_an_example_runs_with_one_click(client, upload, indexed_catalogue):
    response = upload(None, example="barack-obama")
    assert response.status_code == 302
    match = Match.objects.get()
    assert match.status == "done" and match.faces.count() == 1


@pytest.mark.parametrize(
    "make, status, message",
    [
        (lambda p: b"just some text, not a photo", 400, "not an image we can read"),
        (lambda p: p[: len(p) // 2], 400, "damaged or incomplete"),
        (lambda p: png_bomb(), 413, "the limit is 64 megapixels"),
        (lambda p: animated_png(p), 400, "Animated images"),
        (lambda p: b"", 400, "empty"),
    ],
    ids=["text", "truncated", "bomb", "animated-png", "empty"],
)
def test_bad_files_get_a_clear_message_and_leave_nothing(
    client, upload, indexed_catalogue, faces_dir, settings, make, status, message
):
    before = set(media_files(settings))
    portrait = (faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes()
    response = upload(make(portrait))
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Match.objects.exists()
    assert set(media_files(settings)) == before


def test_a_file_over_the_size_limit_is_refused(
    client, upload, indexed_catalogue, faces_dir, settings
):
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 100_000
    response = upload((faces_dir / "extras" / "no_face_dogs.jpg").read_bytes())
    assert response.status_code == 413
    assert "over 0.1 MB" in response.content.decode()
    assert not Match.objects.exists()


def test_no_face_gets_a_friendly_page_offering_another_try(
    client, upload, indexed_catalogue, faces_dir
):
    response = upload((faces_dir / "extras" / "no_face_dogs.jpg").read_bytes())
    html = client.get(response["Location"]).content.decode()
    assert "We couldn't find a face" in html
    assert "Try another photo" in html and 'href="/"' in html
    match = Match.objects.get()
    assert match.status == "failed" and match.error_code == "no_face"
    assert not match.faces.exists()


def test_many_faces_are_capped_and_the_page_says_so(client, upload, indexed_catalogue):
    thumbs = [i.face_thumbnail for i in ActorImage.objects.all()]
    faces = []
    for thumb in (thumbs * 3)[:30]:
        with default_storage.open(thumb.name) as handle:
            faces.append(handle.read())
    response = upload(collage(faces, columns=6))
    match = Match.objects.get()
    assert match.faces_found == 30
    assert match.faces.count() == 10
    html = client.get(response["Location"]).content.decode()
    assert "30 faces found; showing the 10 biggest." in html


def test_every_face_of_a_group_photo_is_listed_and_can_be_picked(
    client, upload, indexed_catalogue, faces_dir
):
    data = (faces_dir / "extras" / "group_obama_and_biden.jpg").read_bytes()
    location = upload(data)["Location"]
    match = Match.objects.get()
    faces = list(match.faces.order_by("position"))
    assert len(faces) == 3
    areas = [(f.bottom - f.top) * (f.right - f.left) for f in faces]
    assert areas == sorted(areas, reverse=True)
    html = client.get(location).content.decode()
    assert html.count('href="?face=') == 3
    second = client.get(location + "?face=1").content.decode()
    assert f'src="/r/{match.token}/faces/1.jpg" alt="Face 2 of 3"' in second


def test_a_weak_resemblance_is_called_weak(client, upload, indexed_catalogue, settings, faces_dir):
    settings.LOOKALIKE_WEAK_SIMILARITY = 99.5
    location = upload((faces_dir / "gallery" / "Katy_Perry" / "5.jpg").read_bytes())["Location"]
    html = client.get(location).content.decode()
    assert "No strong lookalike this time" in html and "data-weak" in html
    settings.LOOKALIKE_WEAK_SIMILARITY = 0
    html = client.get(location).content.decode()
    assert "You look like" in html and "data-weak" not in html


def test_results_survive_a_rebuild_and_a_removed_photo(
    client, upload, indexed_catalogue, faces_dir
):
    data = (faces_dir / "gallery" / "Katy_Perry" / "5.jpg").read_bytes()
    location = upload(data)["Location"]
    before = client.get(location).content.decode()
    shown = Resemblance.objects.filter(rank=1).get()
    assert shown.actor_name == "Katy Perry"

    ActorImage.objects.filter(pk=shown.reference_image_id).delete()
    index_build()
    after = client.get(location).content.decode()
    assert "Photo no longer available" in after
    for r in Resemblance.objects.all():
        assert r.actor_name in after and f"{r.similarity:.0f}%" in after
    assert re.findall(r"\d+%", before) == re.findall(r"\d+%", after)


def test_unknown_token_is_404(client, db):
    assert client.get("/r/not-a-real-token/").status_code == 404


@pytest.mark.parametrize("fmt", sorted(REFUSED_FORMATS))
def test_formats_we_do_not_document_are_refused_on_the_form(upload, faces_dir, settings, fmt):
    before = set(media_files(settings))
    data = in_format((faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes(), fmt)
    response = upload(data, name=f"photo.{REFUSED_FORMATS[fmt]}")
    assert response.status_code == 400
    assert "Please upload a JPEG, PNG, WebP or HEIC photo." in response.content.decode()
    assert not Match.objects.exists()
    assert set(media_files(settings)) == before


def post_unprocessed(client, django_capture_on_commit_callbacks, data: bytes, name: str):
    """POST the form and keep the queued task from running; returns the match and the task."""
    handle = io.BytesIO(data)
    handle.name = name
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("home"), {"photo": handle})
    assert response.status_code == 302, response.content.decode()[:500]
    return Match.objects.get(), queued


def stored_size(match: Match) -> tuple[int, int]:
    with default_storage.open(match.photo.name) as handle:
        picture = Image.open(handle)
        assert picture.format == "JPEG" and not picture.getexif()
        return picture.size


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_a_12_megapixel_phone_photo_is_re_encoded_in_the_web_request(
    client, django_capture_on_commit_callbacks, faces_dir, settings, fmt
):
    data = phone_photo((faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes(), fmt)
    match, queued = post_unprocessed(client, django_capture_on_commit_callbacks, data, "IMG.x")
    assert len(queued) == 1  # the worker's turn has not come yet
    assert not match.original
    assert stored_size(match) == (1500, 2000) == (match.photo_width, match.photo_height)
    assert visitor_file_names(settings) == ["photo.jpg"]


def test_a_62_megapixel_png_is_left_to_the_worker_which_re_encodes_it(
    client, django_capture_on_commit_callbacks, indexed_catalogue, settings
):
    data = one_colour_png(7900, 7900)
    match, queued = post_unprocessed(client, django_capture_on_commit_callbacks, data, "big.png")
    assert match.original and not match.photo and match.status == "queued"
    with default_storage.open(match.original.name) as handle:
        assert handle.read() == data  # kept as sent, for the worker only

    for task in queued:
        task()
    match.refresh_from_db()
    assert match.status == "failed" and match.error_code == "no_face"  # it is one colour
    assert not match.original and stored_size(match) == (2000, 2000)
    assert visitor_file_names(settings) == ["photo.jpg"]
    html = client.get(match.get_absolute_url()).content.decode()
    assert "We couldn't find a face" in html


def test_the_web_request_decodes_no_more_pixels_than_its_budget(
    transactional_db, settings, tmp_path
):
    """The form's whole path (middleware, view, service) in a process of its own, once as
    configured and once with a budget that lets it decode the 62 MP PNG: what each request adds
    to the process's peak memory."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the process needs a database it can share: set DATABASE_URL to PostgreSQL")
    photo = tmp_path / "big.png"
    photo.write_bytes(one_colour_png(7900, 7900))

    def accept(**settings_env) -> dict:
        env = project_env(settings, **settings_env)
        command = [sys.executable, "-m", "testkit.upload_peak_memory", str(photo)]
        run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-3000:]
        return json.loads(run.stdout.strip().splitlines()[-1])

    bounded = accept()
    decoded = accept(LOOKALIKE_WEB_DECODE_MAX_PIXELS=100_000_000)
    assert bounded["status"] == decoded["status"] == 302
    assert bounded["kept_as_sent"] and not bounded["stored_copy"]
    assert decoded["stored_copy"] and not decoded["kept_as_sent"]
    # Decoded, the 62 MP are 187 MB of RGB; read from the header only, next to nothing.
    assert decoded["added_peak_mb"] > 150, decoded
    assert bounded["added_peak_mb"] < 20, bounded


def test_a_body_over_the_limit_is_refused_before_it_is_sent(live_server, settings):
    """The server answers 413 from the Content-Length alone: the client has sent a few bytes of
    the 200 MB it announced when the page arrives."""
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 15_000_000
    host, port = live_server.thread.host, live_server.thread.port
    boundary = "lookalike-boundary"
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        "Content-Length: 200000000\r\nConnection: close\r\n\r\n"
    )
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=60) as connection:
        connection.sendall(head.encode() + part.encode() + b"\xff" * 4096)
        status, headers, body = read_answer(connection)
    assert status == 413 and headers["content-type"].startswith("text/html")
    page = body.decode()
    assert "This file is over 15 MB. Please upload a smaller JPEG, PNG, WebP or HEIC photo." in page
    assert "Back to the start" in page
    assert not Match.objects.exists()
