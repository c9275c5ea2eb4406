"""The review of new photos: pending faces beside typical approved ones, decisions, the audit
log, who may decide, and the index holding a photo only once it is approved."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from actors.models import ActorImage
from matching.services import index_build
from moderation.models import AuditEntry
from moderation.selectors import typical_images

pytestmark = pytest.mark.django_db

URL = "/admin/actors/actorimage/review/"


def cards(page: str) -> dict[int, str]:
    """Each photo card's HTML, by image id."""
    found = re.findall(r'<article class="review-card" id="photo-(\d+)".*?</article>', page, re.S)
    blocks = re.findall(r'(<article class="review-card" id="photo-\d+".*?</article>)', page, re.S)
    return {int(pk): block for pk, block in zip(found, blocks, strict=True)}


def status_of(image: ActorImage) -> str:
    return ActorImage.objects.get(pk=image.pk).status


def test_the_review_url_is_the_admins():
    assert reverse("admin:moderation_review") == URL


def test_pending_faces_are_grouped_by_actor_beside_typical_approved_ones(
    client, curator, pending_photos
):
    page = client.get(URL).content.decode()
    assert "Waiting for review: <strong data-pending-count>5</strong>." in page
    shown = cards(page)
    pending = ActorImage.objects.filter(status="pending")
    assert set(shown) == set(pending.values_list("pk", flat=True))  # and no active photo

    # Grouped by actor: each group's cards follow its heading.
    sections = re.findall(r'<section class="review-actor" data-review-actor="(\d+)">', page)
    assert len(sections) == 3
    katy_section = page.split(f'data-review-actor="{pending_photos["katy"][0].actor_id}"')[1]
    katy_section = katy_section.split("</section>")[0]
    assert all(f'id="photo-{i.pk}"' in katy_section for i in pending_photos["katy"])

    # Beside each face: the actor's three most typical approved faces and the distance to them.
    katy_5, katy_6 = pending_photos["katy"]
    typical = typical_images(katy_5.actor_id, count=3)
    for image in (katy_5, katy_6):
        card = shown[image.pk]
        thumbs = re.findall(r'<img src="([^"]+)" width="56"', card)
        assert thumbs == [t.face_thumbnail.url for t in typical]
        distance = float(re.search(r"distance (\d\.\d\d)", card).group(1))
        assert distance < 0.6 and "unlike them" not in card
    intruder = shown[pending_photos["intruder"].pk]
    assert float(re.search(r"distance (\d\.\d\d)", intruder).group(1)) >= 0.6
    assert "unlike them" in intruder

    # The source, origin and licence of each.
    assert "Wikimedia Commons" in shown[katy_5.pk]
    assert '<a href="https://creativecommons.org/licenses/by-sa/4.0/"' in shown[katy_5.pk]
    assert ">CC BY-SA 4.0</a>" in shown[katy_5.pk] and "Jane Photographer" in shown[katy_5.pk]
    assert "CC0 1.0" in shown[katy_6.pk]
    assert "Film frame: Evita (1996) at 754 s" in intruder
    assert "/films/evita.mkv" in intruder and "none recorded" in intruder
    assert "No approved photo of Elton John yet to compare with." in page
    assert "no distance" in shown[pending_photos["elton"][0].pk]


def test_the_review_can_show_one_actor(client, curator, pending_photos):
    katy = pending_photos["katy"]
    page = client.get(URL, {"actor": katy[0].actor_id}).content.decode()
    assert set(cards(page)) == {i.pk for i in katy}


def test_a_curator_approves_one_photo_and_it_is_audited(client, curator, pending_photos):
    image = pending_photos["katy"][0]
    response = client.post(URL, {"decide": f"approve:{image.pk}"}, follow=True)
    assert "Approved 1 photo." in response.content.decode()
    image.refresh_from_db()
    assert image.status == "active" and image.reviewed_by == curator.username and image.reviewed_at
    entry = AuditEntry.objects.get()
    assert (entry.username, entry.action, entry.image_id) == ("cora", "approve", image.pk)
    assert entry.before["status"] == "pending" and entry.after["status"] == "active"
    assert entry.after["actor"] == "Katy Perry"
    # The others still wait, and the approved one has left the page.
    assert ActorImage.objects.filter(status="pending").count() == 4
    assert image.pk not in cards(client.get(URL).content.decode())


def test_a_curator_rejects_a_selection(client, curator, pending_photos):
    chosen = [pending_photos["intruder"], pending_photos["elton"][0]]
    client.post(URL, {"decide": "reject-selected", "image": [i.pk for i in chosen]})
    assert [status_of(i) for i in chosen] == ["rejected", "rejected"]
    assert status_of(pending_photos["elton"][1]) == "pending"
    entries = AuditEntry.objects.order_by("image_id")
    assert [(e.action, e.image_id, e.after["status"]) for e in entries] == [
        ("reject", i.pk, "rejected") for i in sorted(chosen, key=lambda i: i.pk)
    ]
    assert all(e.username == "cora" for e in entries)
    rejected = ActorImage.objects.get(pk=chosen[0].pk)
    assert rejected.reviewed_by == curator.username and rejected.reviewed_at


def test_a_curator_approves_an_actors_batch_as_shown(client, curator, pending_photos, add_pending):
    elton = pending_photos["elton"]
    actor = elton[0].actor
    page = client.get(URL).content.decode()
    shown = re.findall(rf'name="shown-{actor.pk}" value="(\d+)"', page)
    assert sorted(map(int, shown)) == sorted(i.pk for i in elton)
    assert "Approve these 2</button>" in page
    late = add_pending(actor, "gallery/Elton_John/3.jpg")  # arrives after the page was drawn

    form = {"decide": f"approve-actor:{actor.pk}", f"shown-{actor.pk}": shown}
    # Other actors' photos on the page are sent too; only this actor's batch is decided.
    form[f"shown-{pending_photos['katy'][0].actor_id}"] = [i.pk for i in pending_photos["katy"]]
    client.post(URL, form)
    assert [status_of(i) for i in elton] == ["active", "active"]
    assert status_of(late) == "pending"  # nobody has looked at it yet
    assert [status_of(i) for i in pending_photos["katy"]] == ["pending", "pending"]
    assert AuditEntry.objects.filter(action="approve").count() == 2


def test_a_decision_sent_twice_counts_once(client, curator, pending_photos):
    image = pending_photos["katy"][0]
    json_headers = {"Accept": "application/json"}
    first = client.post(URL, {"decide": f"approve:{image.pk}"}, headers=json_headers).json()
    assert first["decided"] == [image.pk] and first["already"] == []
    second = client.post(URL, {"decide": f"reject:{image.pk}"}, headers=json_headers).json()
    assert second["decided"] == [] and second["already"] == [image.pk]
    assert second["message"] == "Rejected 0 photos. 1 had been decided already."
    assert status_of(image) == "active"
    assert AuditEntry.objects.count() == 1


def test_only_pending_photos_can_be_decided(client, curator, pending_photos):
    active = ActorImage.objects.filter(status="active").first()
    client.post(URL, {"decide": f"reject:{active.pk}"})
    assert status_of(active) == "active" and not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "form, message",
    [
        ({"decide": "approve-selected"}, "No photo was selected."),
        ({"decide": "delete:1"}, "Unknown decision."),
        ({"decide": "approve-selected", "image": ["1; drop"]}, "A photo id is not a number."),
        ({}, "This field is required."),
    ],
)
def test_a_wrong_decision_gets_a_message_and_changes_nothing(
    client, curator, pending_photos, form, message
):
    page = client.post(URL, form, follow=True).content.decode()
    assert message in page
    answer = client.post(URL, form, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and answer.json() == {"error": message}
    assert ActorImage.objects.filter(status="pending").count() == 5
    assert not AuditEntry.objects.exists()


def test_a_visitor_cannot_review(client, pending_photos):
    image = pending_photos["katy"][0]
    for response in (client.get(URL), client.post(URL, {"decide": f"approve:{image.pk}"})):
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(User.objects.create_user("vic", password="x" * 20))
    response = client.post(URL, {"decide": f"approve:{image.pk}"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert status_of(image) == "pending"


def test_staff_outside_the_curators_cannot_review(client, pending_photos):
    client.force_login(User.objects.create_user("sam", password="x" * 20, is_staff=True))
    image = pending_photos["katy"][0]
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"decide": f"approve:{image.pk}"}).status_code == 403
    assert status_of(image) == "pending" and not AuditEntry.objects.exists()


def test_the_photo_list_and_the_queue_link_to_the_review(client, curator, pending_photos):
    photos = client.get(reverse("admin:actors_actorimage_changelist")).content.decode()
    assert f'<a href="{URL}">Review new photos (5)</a>' in photos
    queue = client.get(reverse("admin:moderation_flag_changelist")).content.decode()
    assert f'<a href="{URL}">Review new photos</a>' in queue


def top_actor(faces_dir, photo: str) -> str:
    out = io.StringIO()
    call_command("match", str(faces_dir / photo), "--json", stdout=out)
    return json.loads(out.getvalue())["faces"][0]["matches"][0]["actor"]


def test_a_pending_photo_is_matched_against_only_once_approved_and_rebuilt(
    client, curator, pending_photos, faces_dir
):
    elton = pending_photos["elton"]
    before = index_build()
    assert not set(before.embedding_id_array()) & {i.pk for i in elton}
    # A visitor who looks like Elton John is not told so: his photos wait for a curator.
    assert top_actor(faces_dir, "gallery/Elton_John/4.jpg") != "Elton John"

    client.post(URL, {"decide": "approve-selected", "image": [i.pk for i in elton]})
    assert top_actor(faces_dir, "gallery/Elton_John/4.jpg") != "Elton John"  # not before a build
    after = index_build()
    assert {i.pk for i in elton} <= set(after.embedding_id_array())
    assert after.embedding_count == before.embedding_count + 2
    assert top_actor(faces_dir, "gallery/Elton_John/4.jpg") == "Elton John"
