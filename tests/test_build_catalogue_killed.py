"""build_catalogue killed (SIGKILL) in the middle of its Commons step, then run again: it
resumes after what it had recorded, neither repeating the IMDb step nor asking Commons again
for the actors it had finished."""

import io
import os
import signal
import subprocess
import sys

import pytest
from django.core.management import call_command

from actors.models import Actor, ActorImage
from moderation.models import CatalogueBuild
from testkit.commons_standin import CommonsStandIn, write_people_imdb

from .conftest import ARTIFACTS, REPO, _database_url, wait_for


def test_killed_mid_commons_the_build_resumes_where_it_stopped(
    transactional_db, settings, tmp_path, faces_dir, photo_scans, request, monkeypatch
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the command's process needs a database it can share: set DATABASE_URL")
    imdb_dir = tmp_path / "imdb"
    write_people_imdb(imdb_dir)
    options = [f"--imdb-dir={imdb_dir}", "--top=3", "--per-actor=4"]
    ready = tmp_path / "hanging"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "LOOKALIKE_FACES_DIR": str(faces_dir),
        "PHOTO_SCANS_CACHE": str(request.config.cache.mkdir("photo-scans")),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "build-catalogue-killed.log"
    command = [sys.executable, "-m", "testkit.commons_standin", "--hang-at=Elton John"]
    command += [f"--ready={ready}", "--batch=1", "--", *options]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    try:
        # Madonna's photos are in and recorded; the Commons import is busy with Elton John.
        wait_for(lambda: ready.exists() or process.poll() is not None, timeout=120)
        assert process.poll() is None, log_path.read_text()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    build = CatalogueBuild.objects.get()
    assert build.steps_done == ["imdb"] and build.commons_done == 1
    assert ActorImage.objects.filter(actor__name="Madonna").count() == 4
    assert not ActorImage.objects.filter(actor__name="Elton John").exists()

    for path in imdb_dir.iterdir():  # a repeated IMDb step would fail without its files
        path.unlink()
    standin = CommonsStandIn(gallery=faces_dir / "gallery", scans=photo_scans)
    monkeypatch.setitem(sys.modules, "actors.commons", standin.as_module())
    out = io.StringIO()
    call_command("build_catalogue", *options, stdout=out)
    output = out.getvalue().splitlines()
    assert output[:3] == [
        f"Resuming catalogue build {build.pk}, started {build.started_at:%Y-%m-%d %H:%M}.",
        "IMDb selection: done before.",
        "Commons photos: resuming after 1 actor.",
    ]
    assert standin.calls == [["Elton John", "Mindy Kaling"]]  # Madonna is not asked again
    assert output[-1] == (
        "3 of 3 actors have at least 4 approved photos; 0 of their photos wait for review."
    )
    assert Actor.objects.count() == 3 and ActorImage.objects.count() == 12
    build.refresh_from_db()
    assert build.steps_done == ["imdb", "commons", "suspects"] and build.finished_at
