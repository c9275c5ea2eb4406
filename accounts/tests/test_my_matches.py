"""An account's results: listed, shared or hidden, deleted."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import User
from matching.models import Match, MatchFace, StoredFileDeletion
from testkit.factories import MatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(client):
    user = User.objects.create_user("ada", "ada@example.org", "correct horse battery 42")
    client.force_login(user)
    return user


def test_an_accounts_uploads_are_private_and_kept(client, ada, upload, indexed_catalogue):
    upload()
    match = Match.objects.get()
    assert match.owner == ada and match.visibility == "private" and match.expires_at is None


def test_the_list_shows_top_actor_and_date_newest_first_paginated(
    client, ada, upload, indexed_catalogue
):
    upload("gallery/Matt_Damon/2.jpg")
    upload("gallery/Katy_Perry/2.jpg")
    page = client.get(reverse("my-matches")).content.decode()
    assert page.index("Katy Perry") < page.index("Matt Damon")
    assert Match.objects.first().created_at.strftime("%-d %b %Y") in page
    MatchFactory.create_batch(10, owner=ada, status="failed", error_code="no_face")
    assert "Page 1 of 2" in client.get(reverse("my-matches")).content.decode()
    assert "Matt Damon" in client.get(reverse("my-matches") + "?page=2").content.decode()


def test_visibility_can_be_changed(client, ada, upload, indexed_catalogue):
    upload()
    match = Match.objects.get()
    url = reverse("match-visibility", args=[match.token])
    client.post(url, {"visibility": "unlisted"})
    assert Match.objects.get().visibility == "unlisted"
    client.post(url, {"visibility": "private"})
    assert Match.objects.get().visibility == "private"
    assert client.post(url, {"visibility": "public"}).status_code == 400


def test_deleting_a_result_removes_its_files_and_rows(
    client, ada, upload, indexed_catalogue, django_capture_on_commit_callbacks
):
    upload()
    match = Match.objects.get()
    names = match.stored_file_names()
    assert len(names) == 3 and all(default_storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("match-delete", args=[match.token]), follow=True)
    assert "Deleted 1 result, 1 face crop and 2 share pictures." in (response.content.decode())
    assert not Match.objects.exists() and not MatchFace.objects.exists()
    assert not any(default_storage.exists(n) for n in names)
    assert not StoredFileDeletion.objects.exists()
    assert client.get(match.get_absolute_url()).status_code == 404
