"""Anonymous uploads expire: photo, crops and share picture go, the page says so."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from matching.models import Match, MatchFace, Resemblance
from matching.services import matches_expire
from matching.tasks import matches_expire_task

pytestmark = pytest.mark.django_db


def test_anonymous_uploads_expire_after_the_configured_days(
    client, upload, indexed_catalogue, settings, django_capture_on_commit_callbacks
):
    settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS = 3
    location = upload()["Location"]
    match = Match.objects.get()
    expected = timezone.now() + timedelta(days=3)
    assert abs((match.expires_at - expected).total_seconds()) < 60
    names = match.stored_file_names()

    assert matches_expire(now=timezone.now() + timedelta(days=2)) == 0
    assert matches_expire_task.delay().get() == 0
    assert all(default_storage.exists(n) for n in names)

    with django_capture_on_commit_callbacks(execute=True):
        assert matches_expire(now=timezone.now() + timedelta(days=3, minutes=1)) == 1
    match.refresh_from_db()
    assert match.expired_at and not match.photo and not match.share_image
    assert not MatchFace.objects.exists() and not Resemblance.objects.exists()
    assert not any(default_storage.exists(n) for n in names)
    page = client.get(location)
    assert page.status_code == 200 and "This result has expired" in page.content.decode()
    api = client.get(f"/api/v1/matches/{match.token}/").json()
    assert api["error"]["code"] == "expired" and api["faces"] == []
    assert matches_expire(now=timezone.now() + timedelta(days=30)) == 0  # only once


def test_an_accounts_uploads_do_not_expire(client, upload, indexed_catalogue, django_user_model):
    client.force_login(django_user_model.objects.create_user("ada", password="x" * 20))
    upload()
    assert Match.objects.get().expires_at is None
    assert matches_expire(now=timezone.now() + timedelta(days=365)) == 0


def test_the_beat_schedule_runs_expiry(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "matching.tasks.matches_expire_task" in tasks
    assert "matching.tasks.stored_files_delete_task" in tasks
