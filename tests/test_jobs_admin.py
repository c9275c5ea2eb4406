"""Curators' jobs in the admin: the suspects check's outcome, index builds' progress and
result, the "rebuild needed" banner, the queue counter, the actor page and dataset health links."""

import re

import pytest
from django.urls import reverse

from actors.models import Actor, ActorImage
from matching.models import IndexVersion
from matching.services import index_build
from moderation.models import AuditEntry, Flag, SuspectsCheck
from moderation.services import image_flag

pytestmark = pytest.mark.django_db


def test_the_suspects_button_queues_a_check_the_queue_reports(
    client, curator, small_catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:moderation_suspects"))
    page = client.get(reverse("admin:moderation_flag_changelist")).content.decode()
    check = SuspectsCheck.objects.get()
    assert check.state == "done" and check.requested_by == curator  # ran in-process
    assert "Suspects check of " in page and "No new suspects." in page
    status = client.get(reverse("admin:moderation_suspects_status")).json()
    assert status == {
        "id": check.pk,
        "state": "done",
        "finished": True,
        "flags_opened": 0,
        "message": "No new suspects.",
    }


def test_a_running_check_shows_as_running(client, curator, db):
    SuspectsCheck.objects.create(state="running")
    page = client.get(reverse("admin:moderation_flag_changelist")).content.decode()
    assert 'data-finished="false"' in page and "Checking for suspects…" in page
    assert client.get(reverse("admin:moderation_suspects_status")).json()["finished"] is False


def test_rebuild_status_and_the_no_op_message(
    client, curator, small_catalogue, django_capture_on_commit_callbacks
):
    url = reverse("admin:matching_indexversion_rebuild")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    page = client.get(reverse("admin:matching_indexversion_changelist")).content.decode()
    version = IndexVersion.objects.get()
    assert f"Version {version.pk} is live: 12 faces of 3 actors, built in" in page
    status = client.get(reverse("admin:matching_indexversion_status")).json()
    assert status["id"] == version.pk and status["finished"] is True
    assert status["state"] == "active" and status["progress"] == {"faces": 12, "actors": 3}

    page = client.post(url, follow=True).content.decode()
    assert f"Nothing has changed since version {version.pk}; no rebuild needed." in page
    assert IndexVersion.objects.count() == 1


def test_the_banner_and_counter_on_the_curators_pages(client, curator, small_catalogue):
    live = index_build()
    pages = [
        reverse("admin:index"),
        reverse("admin:moderation_flag_changelist"),
        reverse("admin:actors_actorimage_changelist"),
        reverse("admin:moderation_review"),
        reverse("admin:matching_indexversion_changelist"),
        reverse("admin:moderation_health"),
    ]
    for url in pages:
        assert "data-rebuild-banner" not in client.get(url).content.decode(), url

    matt = list(ActorImage.objects.filter(actor__name="Matt Damon"))
    image_flag(matt[0], source=Flag.Source.CURATOR, user=curator)  # held out at once
    image_flag(matt[1], source=Flag.Source.VISITOR)  # waits for a curator
    ActorImage.objects.filter(pk=matt[2].pk).update(status="pending")
    for url in pages:
        page = client.get(url).content.decode()
        banner = re.search(r"<div class=\"rebuild-banner\".*?</div>", page, re.S)
        assert banner, url
        text = " ".join(re.sub(r"<[^>]+>", " ", banner.group(0)).split())
        assert text == f"2 photos removed since the live index (version {live.pk}). Rebuild now"
        counter = re.search(r'<p class="curation-counter".*?</p>', page, re.S).group(0)
        assert " ".join(re.sub(r"<[^>]+>", " ", counter).split()) == (
            "2 open flags · 1 photo to review"
        ), url


def test_the_actor_page_shows_every_photo_with_outliers_and_history(
    client, curator, make_catalogue
):
    people = ["Elton_John", "Madonna", "Mindy_Kaling"]
    layout = {p: [f"gallery/{p}/{n}.jpg" for n in range(1, 7)] for p in people}
    layout["Madonna"].append("gallery/Jerry_Seinfeld/1.jpg")
    make_catalogue(layout)
    madonna = Actor.objects.get(name="Madonna")
    intruder = ActorImage.objects.get(actor=madonna, source__endswith="7-1.jpg")
    excluded = ActorImage.objects.filter(actor=madonna).exclude(pk=intruder.pk).first()
    url = reverse("admin:actors_actor_gallery", args=[madonna.pk])

    response = client.post(url, {"image": excluded.pk, "action": "exclude"})
    assert response.status_code == 302 and response["Location"].endswith(f"#photo-{excluded.pk}")
    assert ActorImage.objects.get(pk=excluded.pk).status == "excluded"
    client.post(url, {"image": intruder.pk, "action": "flag"})
    assert Flag.objects.get(image=intruder).source == "curator"

    page = client.get(url).content.decode()
    cards = re.findall(r'<li class="gallery-card[^"]*"[^>]*data-photo="(\d+)"', page)
    assert len(cards) == 7  # every photo, whatever its status
    assert int(cards[0]) == intruder.pk  # farthest from Madonna's centre first
    outliers = re.findall(r'data-photo="(\d+)" data-status="\w+" data-outlier', page)
    assert outliers == [str(intruder.pk)]
    assert "Far from the actor's other photos" in page
    history = re.search(r"<ol class=\"gallery-history\".*?</ol>", page, re.S).group(0)
    lines = [
        " ".join(re.sub(r"<[^>]+>", " ", li).split())
        for li in re.findall(r"<li>.*?</li>", history, re.S)
    ]
    assert lines[0].endswith(f"cora flagged photo #{intruder.pk} (active → flagged)")
    assert lines[1].endswith(f"cora excluded photo #{excluded.pk} (active → excluded)")
    assert AuditEntry.objects.count() == 2

    # Linked from the actor's change page and from the queue's rows.
    change = client.get(reverse("admin:actors_actor_change", args=[madonna.pk])).content.decode()
    assert url in change
    assert url in client.get(reverse("admin:moderation_flag_changelist")).content.decode()


def test_dataset_health_numbers_lead_to_their_lists(client, curator, small_catalogue):
    photos = reverse("admin:actors_actorimage_changelist")
    actors = reverse("admin:actors_actor_changelist")
    ActorImage.objects.filter(pk=ActorImage.objects.first().pk).update(status="excluded")
    page = client.get(reverse("admin:moderation_health")).content.decode()
    assert f'<a href="{photos}?status__exact=excluded">excluded <strong>1</strong></a>' in page
    assert "Professions are not set" in page and "import_imdb" in page
    assert f'href="{actors}?profession__exact="' in page
    for actor in Actor.objects.all():  # all three are below the minimum of five
        assert reverse("admin:actors_actor_gallery", args=[actor.pk]) in page

    # The lists behind the links hold what the numbers say.
    listing = client.get(f"{photos}?status__exact=excluded").content.decode()
    assert listing.count('name="_selected_action"') == 1
    Actor.objects.filter(name="Matt Damon").update(profession="actor")
    not_set = client.get(f"{actors}?profession__exact=").content.decode()
    assert not_set.count('name="_selected_action"') == 2 and "Matt Damon" not in not_set
