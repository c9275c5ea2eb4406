"""A curator starts a Wikimedia Commons import for chosen actors from the admin; a real Celery
worker runs it against a loopback server answering as Wikidata and Commons, and the admin shows
its progress and outcome."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from actors.models import ActorImage, CommonsImportJob
from actors.services_commons_jobs import commons_import_job_run
from moderation.roles import curators_group_sync
from testkit.factories import ActorFactory
from testkit.web import FakeWeb
from testkit.wikimedia import CommonsPhoto, FakeWikimedia

from .conftest import wait_for

AGENT = "LookalikeTests/1.0 (admin import tests; curators@example.org)"


@pytest.fixture
def wikimedia(monkeypatch, settings):
    """Set before the worker starts: it reads its settings from the environment."""
    web = FakeWeb()
    fake = FakeWikimedia(web)
    for name, value in {
        "LOOKALIKE_WIKIDATA_API": fake.wikidata_api,
        "LOOKALIKE_COMMONS_API": fake.commons_api,
        "LOOKALIKE_HTTP_USER_AGENT": AGENT,
    }.items():
        monkeypatch.setenv(name, value)
        setattr(settings, name, value)
    yield fake
    web.close()


@pytest.mark.django_db(transaction=True)
def test_a_curator_starts_an_import_for_chosen_actors_and_follows_it(
    client, wikimedia, faces_dir, request
):
    worker = request.getfixturevalue("celery_worker_process")  # after the fake's settings
    curator = User.objects.create_user("cora", password="x" * 20, is_staff=True)
    curator.groups.add(curators_group_sync())
    client.force_login(curator)
    leo = ActorFactory(name="Leonardo DiCaprio", imdb_id="nm0000138", popularity=9)
    nobody = ActorFactory(name="Nobody Known", imdb_id="nm0000001", popularity=8)
    folder_only = ActorFactory(name="Folder Only")
    ActorFactory(name="Not Chosen", imdb_id="nm0000002", popularity=10)
    wikimedia.person(
        "nm0000138",
        "Q38111",
        {
            "Leonardo DiCaprio 2017.jpg": CommonsPhoto(
                (faces_dir / "gallery/Leonardo_DiCaprio/1.jpg").read_bytes()
            )
        },
    )
    changelist = reverse("admin:actors_actor_changelist")
    chosen = {"action": "import_from_commons", "_selected_action": [leo.pk, nobody.pk]}
    chosen["_selected_action"].append(folder_only.pk)

    asked = client.post(changelist, chosen).content.decode()
    assert "Import photos from Wikimedia Commons" in asked
    assert "1 without an IMDb id will be left out" in asked

    started = client.post(
        changelist, {**chosen, "apply": "1", "per_actor": "2", "review": "on"}, follow=True
    )
    assert started.redirect_chain == [(changelist, 302)]
    job = CommonsImportJob.objects.get()
    assert (job.created_by, job.actors_total, job.per_actor, job.review) == (curator, 2, 2, True)
    link = reverse("admin:actors_commonsimportjob_change", args=[job.pk])
    message = f'Commons import <a href="{link}">#{job.pk}</a> is queued for 2 actors.'
    assert message in started.content.decode()

    wait_for(lambda: CommonsImportJob.objects.get().state == "done", timeout=120)
    assert worker.tasks_succeeded() == 1
    listing = client.get(reverse("admin:actors_commonsimportjob_changelist")).content.decode()
    assert re.search(r'<td class="field-state">Done</td>', listing)
    assert "2 of 2 actors" in listing
    detail = client.get(reverse("admin:actors_commonsimportjob_change", args=[job.pk]))
    outcome = detail.content.decode()
    assert "Nobody Known (nm0000001): no Wikidata item with IMDb id nm0000001" in outcome
    assert "2 actors looked up (1 without photos to fetch): 1 photos added" in outcome
    photo = ActorImage.objects.get()
    assert (photo.actor, photo.origin, photo.status) == (leo, "commons", "pending")
    assert "Not Chosen" not in outcome

    # The same job delivered again (a redelivered message) does nothing.
    assert commons_import_job_run(job.pk) is None
    assert ActorImage.objects.count() == 1


@pytest.mark.django_db
def test_staff_without_the_permission_are_not_offered_the_import(client):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("vera", password="x" * 20, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_actor"))
    client.force_login(user)
    leo = ActorFactory(name="Leonardo DiCaprio", imdb_id="nm0000138")
    page = client.get(reverse("admin:actors_actor_changelist")).content.decode()
    assert "import_from_commons" not in page
    client.post(
        reverse("admin:actors_actor_changelist"),
        {
            "action": "import_from_commons",
            "_selected_action": [leo.pk],
            "apply": "1",
            "per_actor": 2,
        },
    )
    assert not CommonsImportJob.objects.exists()


@pytest.mark.django_db
def test_the_page_of_an_unfinished_import_follows_it(admin_client):
    job = CommonsImportJob.objects.create(per_actor=2, state="running", actors_total=3)
    url = reverse("admin:actors_commonsimportjob_change", args=[job.pk])
    assert 'data-follow-job="5"' in admin_client.get(url).content.decode()
    CommonsImportJob.objects.filter(pk=job.pk).update(state="done")
    assert "data-follow-job" not in admin_client.get(url).content.decode()
