"""build_catalogue killed (SIGKILL) in the middle of its Commons step, then run again: it
resumes after what it had recorded, neither repeating the IMDb step nor asking Commons again
for the actors it had finished. The command runs in its own process, sent by its environment to
a loopback server answering as Wikidata and Commons do."""

import io
import os
import signal
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command

from actors.models import Actor, ActorImage
from moderation.models import CatalogueBuild
from testkit.catalogue_people import (
    IMDB_IDS,
    people_on_commons,
    searched,
    wikimedia_env,
    wikimedia_settings,
    write_people_imdb,
)
from testkit.servers import database_url
from testkit.web import FakeWeb
from testkit.wikimedia import FakeWikimedia

from .conftest import ARTIFACTS, REPO, wait_for

ELTON, MINDY = IMDB_IDS["Elton John"], IMDB_IDS["Mindy Kaling"]


@pytest.fixture
def wikimedia(faces_dir):
    web = FakeWeb()
    fake = FakeWikimedia(web)
    people_on_commons(
        fake,
        faces_dir / "gallery",
        {
            "Madonna": ["Madonna/1.jpg", "Madonna/2.jpg"],
            "Elton John": ["Elton_John/1.jpg", "Elton_John/2.jpg"],
            "Mindy Kaling": ["Mindy_Kaling/1.jpg", "Mindy_Kaling/2.jpg"],
        },
    )
    yield fake
    web.close()


def test_killed_mid_commons_the_build_resumes_where_it_stopped(
    transactional_db, settings, tmp_path, wikimedia
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the command's process needs a database it can share: set DATABASE_URL")
    imdb_dir = tmp_path / "imdb"
    write_people_imdb(imdb_dir)
    options = [f"--imdb-dir={imdb_dir}", "--top=3", "--per-actor=2"]
    # Wikidata holds its answer about Elton John until the process is dead: killed there, the
    # command has finished Madonna and is waiting for Elton John's item.
    asked_about_elton, process_gone = threading.Event(), threading.Event()

    def hold_elton(imdb_id):
        if imdb_id == ELTON:
            asked_about_elton.set()
            process_gone.wait(timeout=120)

    wikimedia.on_search = hold_elton
    env = {
        **os.environ,
        **wikimedia_env(wikimedia),
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "build-catalogue-killed.log"
    command = [sys.executable, "manage.py", "build_catalogue", *options]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    try:
        wait_for(lambda: asked_about_elton.is_set() or process.poll() is not None, timeout=120)
        assert process.poll() is None, log_path.read_text()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process_gone.set()
    assert process.returncode == -signal.SIGKILL
    build = CatalogueBuild.objects.get()
    assert build.steps_done == ["imdb"] and build.commons_done == 1
    assert ActorImage.objects.filter(actor__name="Madonna").count() == 2
    assert not ActorImage.objects.filter(actor__name="Elton John").exists()

    for path in imdb_dir.iterdir():  # a repeated IMDb step would fail without its files
        path.unlink()
    wikimedia.on_search = None
    asked_before = len(wikimedia.web.requests)
    for name, value in wikimedia_settings(wikimedia).items():
        setattr(settings, name, value)
    out = io.StringIO()
    call_command("build_catalogue", *options, stdout=out)
    output = out.getvalue().splitlines()
    assert output[:3] == [
        f"Resuming catalogue build {build.pk}, started {build.started_at:%Y-%m-%d %H:%M}.",
        "IMDb selection: done before.",
        "Commons photos: resuming after 1 actor.",
    ]
    # Madonna is not asked about again
    assert searched(wikimedia, since=asked_before) == [ELTON, MINDY]
    assert output[-1] == (
        "3 of 3 actors have at least 2 approved photos; 0 of their photos wait for review."
    )
    assert Actor.objects.count() == 3 and ActorImage.objects.count() == 6
    build.refresh_from_db()
    assert build.steps_done == ["imdb", "commons", "suspects"] and build.finished_at
