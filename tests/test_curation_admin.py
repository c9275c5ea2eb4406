"""Curators in the admin: what they can reach, the moderation queue, index rebuilds."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from actors.models import ActorImage
from matching.models import IndexBuildSlot, IndexVersion
from moderation.models import AuditEntry, Flag
from moderation.services import image_flag

pytestmark = pytest.mark.django_db


REACHABLE = [
    "admin:moderation_flag_changelist",
    "admin:moderation_auditentry_changelist",
    "admin:actors_actor_changelist",
    "admin:actors_actorimage_changelist",
    "admin:matching_indexversion_changelist",
    "admin:moderation_health",
]
FORBIDDEN = [
    "admin:accounts_user_changelist",
    "admin:auth_group_changelist",
    "admin:authtoken_tokenproxy_changelist",
    "admin:moderation_auditentry_add",
    "admin:actors_actor_add",
]


@pytest.mark.parametrize("name", REACHABLE)
def test_a_curator_reaches_the_curation_pages(client, curator, small_catalogue, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", FORBIDDEN)
def test_a_curator_cannot_reach_the_rest(client, curator, name):
    assert client.get(reverse(name)).status_code == 403


def test_a_curator_is_not_a_superuser_and_cannot_edit_the_audit_log(client, curator):
    entry = AuditEntry.objects.create(username="x", action="exclude")
    assert not curator.is_superuser
    url = reverse("admin:moderation_auditentry_change", args=[entry.pk])
    assert client.post(url, {"action": "confirm"}).status_code == 403
    delete = reverse("admin:moderation_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "exclude"


def test_a_logged_in_visitor_cannot_reach_the_admin(client, db):
    client.force_login(User.objects.create_user("vic", password="x" * 20))
    response = client.get(reverse("admin:moderation_flag_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_queue_opens_on_open_flags_with_most_reports_first(client, curator, small_catalogue):
    images = list(ActorImage.objects.all()[:3])
    image_flag(images[0], source=Flag.Source.VISITOR)
    for _ in range(3):
        image_flag(images[1], source=Flag.Source.VISITOR)
    done = image_flag(images[2], source=Flag.Source.VISITOR)
    Flag.objects.filter(pk=done.pk).update(status="dismissed")
    page = client.get(reverse("admin:moderation_flag_changelist")).content.decode()
    assert page.count('name="_selected_action"') == 2
    first, second = images[1].face_thumbnail.url, images[0].face_thumbnail.url
    assert page.index(first) < page.index(second)
    # Beside each flagged photo, the actor's typical photos: here all three others of the four.
    cells = re.findall(r'<td class="field-typical">(.*?)</td>', page, re.S)
    for cell, flagged in zip(cells, [images[1], images[0]], strict=True):
        others = ActorImage.objects.filter(actor=flagged.actor).exclude(pk=flagged.pk)
        assert set(re.findall(r'src="([^"]+)"', cell)) == {i.face_thumbnail.url for i in others}


def test_confirming_from_the_queue_excludes_and_audits(client, curator, small_catalogue):
    image = ActorImage.objects.first()
    flag = image_flag(image, source=Flag.Source.VISITOR)
    response = client.post(
        reverse("admin:moderation_flag_changelist"),
        {"action": "confirm", "_selected_action": [flag.pk]},
    )
    assert response.status_code == 302
    assert ActorImage.objects.get(pk=image.pk).status == "excluded"
    assert AuditEntry.objects.get().username == "cora"


def test_rebuild_from_the_admin_and_only_one_at_a_time(
    client, curator, small_catalogue, django_capture_on_commit_callbacks
):
    url = reverse("admin:matching_indexversion_rebuild")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, follow=True).content.decode()
    assert "is queued" in page
    version = IndexVersion.objects.get()
    assert version.state == "active" and version.requested_by == curator  # ran in-process

    held = IndexVersion.objects.create(state="building", encoder="x")
    IndexBuildSlot.objects.filter(pk=1).update(holder=held)
    page = client.post(url, follow=True).content.decode()
    assert f"Index version {held.pk} is being built already" in page
    assert IndexVersion.objects.count() == 2
    listing = client.get(reverse("admin:matching_indexversion_changelist")).content.decode()
    states = re.findall(r'<td class="field-state">(\w+)</td>', listing)
    assert states == ["Building", "Active"]  # newest first


def test_moving_from_the_queue_asks_for_the_actor_then_moves(client, curator, small_catalogue):
    from actors.models import Actor

    image = ActorImage.objects.filter(actor__name="Matt Damon").first()
    flag = image_flag(image, source=Flag.Source.VISITOR)
    url = reverse("admin:moderation_flag_changelist")
    ask = client.post(url, {"action": "move", "_selected_action": [flag.pk]})
    assert ask.status_code == 200 and "Move 1 photo to another actor" in ask.content.decode()
    katy = Actor.objects.get(name="Katy Perry")
    done = client.post(
        url, {"action": "move", "_selected_action": [flag.pk], "apply": "Move", "actor": katy.pk}
    )
    assert done.status_code == 302
    assert ActorImage.objects.get(pk=image.pk).actor == katy
    assert AuditEntry.objects.get(action="move").before["actor"] == "Matt Damon"


def test_dataset_health_names_hub_actors(client, curator, small_catalogue):
    from testkit.factories import ResemblanceFactory

    matt = ActorImage.objects.filter(actor__name="Matt Damon").first()
    ResemblanceFactory.create_batch(5, reference_image=matt)  # five results, Matt Damon first
    page = client.get(reverse("admin:moderation_health")).content.decode()
    actors = reverse("admin:actors_actor_changelist")
    assert f'Actors: <a href="{actors}"><strong>3</strong></a>' in page
    gallery = reverse("admin:actors_actor_gallery", args=[matt.actor_id])
    assert (
        f'<td><a href="{gallery}">Matt Damon</a></td><td>5</td>' in page
    )  # all top matches, a third of the photos
    assert "fewer than 5 active photos (3)" in page
