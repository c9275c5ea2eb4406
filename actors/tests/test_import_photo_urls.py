"""`import_photo_urls FILE.csv`: licensed photos fetched from their addresses, against a real
HTTP server on loopback that serves the shared photos and the failures the web gives."""

import csv
import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from actors.models import Actor, ActorImage, SkippedPhoto
from testkit.factories import ActorFactory
from testkit.servers import database_url
from testkit.web import Answer, FakeWeb

REPO = Path(__file__).resolve().parents[2]
COLUMNS = ["imdb_id", "actor", "url", "licence", "licence_url", "credit", "source_page"]
HTML = b"<!doctype html><html><body><h1>Photo of the day</h1></body></html>"


@pytest.fixture
def web():
    server = FakeWeb()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _download_limits(settings):
    # Loopback answers at once; 1.5 s leaves room for the face work in the same process
    # holding the interpreter while the server thread answers.
    settings.LOOKALIKE_DOWNLOAD_CONNECT_TIMEOUT = 2.0
    settings.LOOKALIKE_DOWNLOAD_READ_TIMEOUT = 1.5
    settings.LOOKALIKE_DOWNLOAD_RETRIES = 2
    settings.LOOKALIKE_DOWNLOAD_BACKOFF_SECONDS = 0.05
    settings.LOOKALIKE_DOWNLOAD_MAX_BYTES = 1_000_000
    settings.LOOKALIKE_DOWNLOAD_THREADS = 3


def photo(faces_dir, name: str) -> Answer:
    return Answer(body=(faces_dir / name).read_bytes(), headers={"Content-Type": "image/jpeg"})


def photo_list(tmp_path, rows: list[dict], name: str = "photos.csv"):
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    "licence": "CC BY 4.0",
                    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
                    "credit": "Jane Photographer",
                    "source_page": "https://photos.example.org/page",
                    **row,
                }
            )
    return path


def run_import(path, *args) -> str:
    out = io.StringIO()
    call_command("import_photo_urls", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_listed_photos_are_stored_with_their_licence_credit_and_source(
    web, faces_dir, tmp_path, settings
):
    damon = ActorFactory(name="Matt Damon", imdb_id="nm0000354")
    first = web.route("/damon/1.jpg", photo(faces_dir, "gallery/Matt_Damon/1.jpg"))
    # The bytes decide: a photo at an address ending in .html, sent as a web page, is a photo.
    second = web.route(
        "/damon/portrait.html",
        Answer(
            body=(faces_dir / "gallery/Matt_Damon/2.jpg").read_bytes(),
            headers={"Content-Type": "text/html"},
        ),
    )
    perry = web.route("/perry.jpg", photo(faces_dir, "gallery/Katy_Perry/2.jpg"))
    same_bytes = web.route("/mirror/perry.jpg", photo(faces_dir, "gallery/Katy_Perry/2.jpg"))
    path = photo_list(
        tmp_path,
        [
            {"imdb_id": "nm0000354", "url": first, "source_page": "https://example.org/p/1"},
            {"imdb_id": "nm0000354", "url": second, "licence": "CC0"},
            {"actor": "Katy Perry", "url": perry, "licence": "CC BY-SA 3.0", "credit": "K. F."},
            {"actor": "Katy Perry", "url": same_bytes},
        ],
    )

    output = run_import(path)

    assert "3 photos added (2 actors), 0 skipped, 1 already known, of 4 addresses." in output
    stored = ActorImage.objects.get(source=first)
    assert stored.actor == damon and stored.status == ActorImage.Status.ACTIVE
    assert stored.origin == ActorImage.Origin.URL
    assert (stored.licence, stored.attribution) == ("CC BY 4.0", "Jane Photographer")
    assert stored.licence_url == "https://creativecommons.org/licenses/by/4.0/"
    assert stored.source_page == "https://example.org/p/1"
    assert ActorImage.objects.get(source=second).licence == "CC0"
    katy = Actor.objects.get(name="Katy Perry")
    assert list(katy.images.values_list("source", "licence", "attribution")) == [
        (perry, "CC BY-SA 3.0", "K. F.")
    ]
    agents = {seen.headers.get("user-agent") for seen in web.requests}
    assert agents == {settings.LOOKALIKE_HTTP_USER_AGENT}


@pytest.mark.django_db
def test_with_review_the_photos_wait_for_a_curator(web, faces_dir, tmp_path):
    url = web.route("/damon.jpg", photo(faces_dir, "gallery/Matt_Damon/1.jpg"))
    output = run_import(photo_list(tmp_path, [{"actor": "Matt Damon", "url": url}]), "--review")
    assert "1 photos added (pending review)" in output
    assert ActorImage.objects.get().status == ActorImage.Status.PENDING


@pytest.mark.django_db
def test_every_failure_is_a_skipped_photo_with_its_reason(web, faces_dir, tmp_path):
    big = (faces_dir / "extras/very_large_4600px_clooney.jpg").read_bytes()
    assert len(big) > 1_000_000
    urls = {
        "missing": web.route("/gone.jpg", Answer(404, b"no such photo")),
        "slow": web.route("/slow.jpg", Answer(body=b"late", delay=4.0)),
        "page": web.route("/page.jpg", Answer(body=HTML, headers={"Content-Type": "image/jpeg"})),
        "large": web.route("/large.jpg", Answer(body=big)),
        "large_unannounced": web.route("/stream.jpg", Answer(body=big, content_length=False)),
        "no_face": web.route("/dogs.jpg", photo(faces_dir, "extras/no_face_dogs.jpg")),
        "group": web.route("/group.jpg", photo(faces_dir, "extras/group_two_people.jpg")),
        "busy": web.route(
            "/busy.jpg",
            Answer(429, b"slow down", headers={"Retry-After": "2"}),
            photo(faces_dir, "gallery/Matt_Damon/3.jpg"),
        ),
        "flaky": web.route(
            "/flaky.jpg", Answer(500, b"oops"), photo(faces_dir, "gallery/Matt_Damon/4.jpg")
        ),
        "down": web.route("/down.jpg", Answer(503, b"down for maintenance")),
    }
    path = photo_list(tmp_path, [{"actor": "Matt Damon", "url": url} for url in urls.values()])

    output = run_import(path)

    assert "2 photos added (1 actors), 8 skipped, 0 already known, of 10 addresses." in output
    reasons = dict(SkippedPhoto.objects.values_list("source", "reason"))
    assert reasons[urls["missing"]] == "HTTP 404 Not Found"
    assert reasons[urls["slow"]] == "timed out: no answer within 1.5 s"
    assert reasons[urls["page"]].startswith("This file is not an image")
    assert reasons[urls["large"]] == "too large: over 1,000,000 bytes"
    assert reasons[urls["large_unannounced"]] == "too large: over 1,000,000 bytes"
    assert reasons[urls["no_face"]] == "no face found"
    assert reasons[urls["group"]].startswith("2 faces found")
    assert reasons[urls["down"]] == "HTTP 503 Service Unavailable"
    assert web.hits("/down.jpg") == 3  # tried, then retried twice
    for skipped in SkippedPhoto.objects.all():
        assert f"skipped {skipped.source}: {skipped.reason}" in output
    # The photos behind a 429 and a 500 were stored on the retry; the 429's wait was honoured.
    assert set(ActorImage.objects.values_list("source", flat=True)) == {
        urls["busy"],
        urls["flaky"],
    }
    refused, served = web.seen("/busy.jpg")
    assert served.at - refused.at >= 2.0
    assert web.hits("/flaky.jpg") == 2


@pytest.mark.django_db
def test_downloads_run_a_few_at_a_time(web, tmp_path, settings):
    settings.LOOKALIKE_DOWNLOAD_THREADS = 3
    lock, now, most = threading.Lock(), [0], [0]

    def counted(_):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        threading.Event().wait(0.5)  # long enough for the others to start meanwhile
        with lock:
            now[0] -= 1
        return Answer(410, b"gone")

    urls = [web.route(f"/gone/{n}.jpg", counted) for n in range(9)]
    output = run_import(photo_list(tmp_path, [{"actor": "Matt Damon", "url": u} for u in urls]))
    assert "0 photos added (0 actors), 9 skipped" in output
    assert most[0] == 3


@pytest.mark.django_db
def test_a_second_run_fetches_only_what_failed_and_adds_nothing_twice(
    web, faces_dir, tmp_path, settings
):
    stored = web.route("/damon.jpg", photo(faces_dir, "gallery/Matt_Damon/1.jpg"))
    no_face = web.route("/dogs.jpg", photo(faces_dir, "extras/no_face_dogs.jpg"))
    unavailable = web.route("/later.jpg", Answer(503, b"busy"))
    path = photo_list(
        tmp_path, [{"actor": "Matt Damon", "url": u} for u in (stored, no_face, unavailable)]
    )
    run_import(path)
    assert SkippedPhoto.objects.get(source=unavailable).reason.startswith("HTTP 503")
    hits = {p: web.hits(p) for p in ("/damon.jpg", "/dogs.jpg")}

    again = run_import(path)

    assert "0 photos added (0 actors), 1 skipped, 2 already known, of 3 addresses." in again
    assert {p: web.hits(p) for p in ("/damon.jpg", "/dogs.jpg")} == hits  # not fetched again
    assert ActorImage.objects.count() == 1 and SkippedPhoto.objects.count() == 2

    # The address that failed is tried on each run; once it answers, it is no longer skipped.
    web.route("/later.jpg", photo(faces_dir, "gallery/Matt_Damon/2.jpg"))
    third = run_import(path)
    assert "1 photos added (1 actors), 0 skipped, 2 already known" in third
    assert not SkippedPhoto.objects.filter(source=unavailable).exists()
    assert ActorImage.objects.count() == 2


@pytest.mark.django_db
def test_a_bad_list_is_refused_whole_before_anything_is_fetched(web, faces_dir, tmp_path):
    ActorFactory(name="Matt Damon", imdb_id="nm0000354")
    good = web.route("/damon.jpg", photo(faces_dir, "gallery/Matt_Damon/1.jpg"))
    path = photo_list(
        tmp_path,
        [
            {"imdb_id": "nm0000354", "url": good},
            {"imdb_id": "nm9999999", "url": good},
            {"actor": "Matt Damon", "url": "file:///etc/passwd"},
            {"actor": "Matt Damon", "url": good, "licence": ""},
            {"url": good},
        ],
    )
    with pytest.raises(CommandError) as refused:
        run_import(path)
    message = str(refused.value)
    assert "line 3: no actor with IMDb id 'nm9999999' in the catalogue" in message
    assert "line 4: url 'file:///etc/passwd' is not an http(s) address" in message
    assert "line 5: no licence" in message
    assert "line 6: no imdb_id or actor" in message
    assert web.requests == [] and ActorImage.objects.count() == 0

    missing_column = tmp_path / "short.csv"
    missing_column.write_text(f"actor,url\nMatt Damon,{good}\n")
    with pytest.raises(CommandError, match="line 1: missing column.*licence"):
        run_import(missing_column)


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_midway_continues_where_it_stopped(web, faces_dir, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the command's process needs a database it can share: set DATABASE_URL")
    release = threading.Event()

    def held(_):
        release.wait(60)  # answers only once the first run is dead
        return photo(faces_dir, "gallery/Matt_Damon/4.jpg")

    held_url = web.route("/held.jpg", held)
    quick = [
        web.route(f"/damon/{n}.jpg", photo(faces_dir, f"gallery/Matt_Damon/{n}.jpg"))
        for n in (1, 2, 3)
    ]
    path = photo_list(tmp_path, [{"actor": "Matt Damon", "url": u} for u in [*quick, held_url]])
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "LOOKALIKE_DOWNLOAD_READ_TIMEOUT": "60",
    }
    command = [sys.executable, "manage.py", "import_photo_urls", str(path)]
    first = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE)
    try:
        from tests.conftest import wait_for

        wait_for(lambda: ActorImage.objects.count() == 3, timeout=120)
        assert web.hits("/held.jpg") == 1 and first.poll() is None
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
        release.set()

    output = run_import(path)

    assert "1 photos added (1 actors), 0 skipped, 3 already known, of 4 addresses." in output
    assert ActorImage.objects.count() == 4
    assert all(web.hits(f"/damon/{n}.jpg") == 1 for n in (1, 2, 3))
