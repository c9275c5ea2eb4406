"""A result or an account deleted while its match runs leaves no file behind, nothing served.

With the real Celery worker, the worker is held at a chosen point of its run: a second database
connection takes an exclusive lock on the next table the worker reads, so the worker waits
there as it would behind any slow query. The deletion happens, the lock is released, the worker
carries on to its end, and only then is storage looked at.
"""

import io
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.models import Match, MatchFace, StoredFileDeletion
from matching.selectors import photo_match
from matching.services import (
    index_build,
    match_create,
    match_delete,
    matches_expire,
    processing,
    stored_files_delete,
)
from matching.services.claims import match_claim

from .conftest import wait_for

PASSWORD = "correct horse battery 42"
GROUP_PHOTO = "extras/group_insightface_t1.jpg"  # several faces: several crops to leave behind
# The table the worker reads next at each stage, where it is held.
HELD_AT = {
    # The faces are found; their actors' names come next. The match says finding_faces.
    "finding_faces": "actors_actor",
    # The face crops are written; the reference photo for the share picture comes next. The
    # match says matching, and no row points at the crops yet.
    "matching": "actors_actorimage",
}


@contextmanager
def worker_held_at(table: str):
    """Queries that read `table` wait until the block ends (a lock from its own connection)."""
    holder = connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        yield
    finally:
        holder.rollback()
        holder.close()


def someone_waits_for(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE %s",
            [f'%FROM "{table}" %'],
        )
        return cursor.fetchone()[0] > 0


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def ada(celery_worker_process, small_catalogue) -> Client:
    index_build()
    client = Client()
    client.force_login(User.objects.create_user("ada", password=PASSWORD))
    return client


def upload(client: Client, faces_dir: Path) -> Match:
    photo = io.BytesIO((faces_dir / GROUP_PHOTO).read_bytes())
    photo.name = "group.jpg"
    assert client.post(reverse("home"), {"photo": photo}).status_code == 302
    return Match.objects.get()


def delete(client: Client, match: Match, what: str) -> None:
    if what == "result":
        response = client.post(reverse("match-delete", args=[match.token]))
    else:
        response = client.post(reverse("account-delete"), {"password": PASSWORD})
    assert response.status_code in (200, 302)
    assert not Match.objects.filter(pk=match.pk).exists()


def assert_nothing_served(match: Match, clients: list[Client]) -> None:
    addresses = [reverse("match-face", args=[match.token, n]) for n in range(10)]
    addresses += [reverse("match-face-share", args=[match.token, n]) for n in range(10)]
    addresses += [reverse("match-face-story", args=[match.token, n]) for n in range(10)]
    addresses += [
        reverse("match-share", args=[match.token]),
        reverse("match-photo", args=[match.token]),
    ]
    addresses += [f"/media/visitors/{match.storage_key}/photo.jpg"]
    for client in clients:
        assert [a for a in addresses if client.get(a).status_code != 404] == []


@pytest.mark.parametrize("what", ["result", "account"])
@pytest.mark.parametrize("stage", ["finding_faces", "matching"])
def test_deleting_while_the_worker_runs_leaves_no_file(
    stage, what, ada, celery_worker_process, faces_dir, settings
):
    with worker_held_at(HELD_AT[stage]):
        match = upload(ada, faces_dir)
        folder = Path(settings.MEDIA_ROOT) / "visitors" / match.storage_key
        wait_for(lambda: someone_waits_for(HELD_AT[stage]))
        match.refresh_from_db()
        assert match.status == stage
        if stage == "matching":
            crops = [name for name in files_under(folder) if name.startswith("face-")]
            assert len(crops) >= 2 and not MatchFace.objects.exists()
            assert ada.get(reverse("match-face", args=[match.token, 0])).status_code == 404
        delete(ada, match, what)
    wait_for(lambda: celery_worker_process.tasks_succeeded() >= 1)

    assert files_under(folder) == []
    assert not StoredFileDeletion.objects.exists()
    assert_nothing_served(match, [ada, Client()])


def test_a_run_that_fails_after_its_result_was_deleted_leaves_no_file(
    ada, celery_worker_process, faces_dir, settings
):
    with worker_held_at(HELD_AT["finding_faces"]):
        match = upload(ada, faces_dir)
        folder = Path(settings.MEDIA_ROOT) / "visitors" / match.storage_key
        wait_for(lambda: someone_waits_for(HELD_AT["finding_faces"]))
        delete(ada, match, "result")
        # The share picture cannot be written: its name is a folder with a file in it. The run
        # writes its crops, then fails.
        blocker = folder / "share.jpg"
        blocker.mkdir(parents=True)
        (blocker / "inside").write_text("x")
    wait_for(lambda: celery_worker_process.tasks_succeeded() >= 1)  # its retry finds nothing

    # Every crop is gone; the name storage could not delete waits for the periodic retry.
    assert files_under(folder) == ["share.jpg/inside"]
    assert list(StoredFileDeletion.objects.values_list("name", flat=True)) == [
        f"visitors/{match.storage_key}/share.jpg"
    ]
    (blocker / "inside").unlink()
    assert stored_files_delete() == 1
    assert files_under(folder) == [] and not blocker.exists()
    assert_nothing_served(match, [ada, Client()])


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["deleted", "expired"])
def test_a_match_gone_between_its_files_and_its_rows_leaves_no_file(
    how, indexed_catalogue, faces_dir, settings, django_capture_on_commit_callbacks
):
    """The worker's steps in order, in-process, with the deletion (or expiry) between writing
    the files and recording them."""
    with django_capture_on_commit_callbacks(execute=False):
        match = match_create(data=(faces_dir / GROUP_PHOTO).read_bytes())  # queued, not run
    folder = Path(settings.MEDIA_ROOT) / "visitors" / match.storage_key
    assert match_claim(match.pk)
    data = processing._stored_photo(match)
    result = photo_match(data)
    written = processing._write_files(match, data, result)
    # The photo, and for each face its crop, share picture and story picture.
    assert len(files_under(folder)) == 1 + 3 * len(written.crops)

    with django_capture_on_commit_callbacks(execute=True):
        if how == "deleted":
            match_delete(match)
        else:
            assert matches_expire(now=timezone.now() + timedelta(days=30)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        processing._record(match, result, written)

    assert files_under(folder) == []
    assert not StoredFileDeletion.objects.exists() and not MatchFace.objects.exists()
    assert_nothing_served(match, [Client()])
