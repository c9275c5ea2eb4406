"""The moderation queue in the admin, through the Django client: one POST per decision, back to
the same filtered page, undo, restore, notes, the audit log's links and refused strangers."""

import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from actors.models import Actor, ActorImage
from moderation.models import AuditEntry, Flag
from moderation.services import image_exclude, image_flag

QUEUE = "admin:moderation_flag_changelist"


@pytest.fixture
def flagged(small_catalogue):
    """Three open flags from visitors, on one photo of each actor."""
    images = [
        ActorImage.objects.filter(actor__name=name).order_by("pk").first()
        for name in ("Matt Damon", "Katy Perry", "Barack Obama")
    ]
    return [image_flag(image, source=Flag.Source.VISITOR, note="not him") for image in images]


def status(image_id) -> str:
    return ActorImage.objects.get(pk=image_id).status


def test_the_queue_has_a_title_buttons_on_each_row_and_notes_inline(client, curator, flagged):
    Flag.objects.filter(pk=flagged[0].pk).update(notes="<b>a long story</b> " + "word " * 40)
    page = client.get(reverse(QUEUE)).content.decode()
    assert "<h1>Moderation queue</h1>" in page and "Select flag to change" not in page
    assert page.count('data-decision="confirm"') == 3
    assert page.count('data-decision="dismiss"') == 3
    assert page.count('data-decision="move"') == 3
    assert "&lt;b&gt;a long story&lt;/b&gt;" in page and "<b>a long story" not in page
    assert '<span class="more">more</span>' in page
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_an_empty_queue_says_so_and_links_the_other_filters(client, curator, small_catalogue):
    page = client.get(reverse(QUEUE)).content.decode()
    assert "Nothing to review: no open flags." in page
    for value in ("confirmed", "dismissed", "all"):
        assert f'href="?status={value}"' in page
    assert "0 flags" not in page


def test_a_button_decides_and_comes_back_to_the_same_filtered_page(client, curator, flagged):
    flag = flagged[0]
    here = reverse(QUEUE) + "?source=visitor&status=open"
    url = reverse("admin:moderation_flag_decide", args=[flag.pk]) + "?" + urlencode({"next": here})
    response = client.post(url, {"decision": "confirm"})
    assert response.status_code == 302 and response["Location"] == here
    assert Flag.objects.get(pk=flag.pk).status == "confirmed"
    assert status(flag.image_id) == "excluded"
    page = client.get(here).content.decode()
    assert f"Excluded photo {flag.image_id}: not Matt Damon." in page
    undo = re.search(r'<form method="post" action="([^"]+)" class="undo-form">', page)
    assert undo, "the message has an Undo button"
    client.post(undo[1], {"next": here})
    assert Flag.objects.get(pk=flag.pk).status == "open"
    assert status(flag.image_id) == "active"


def test_the_queue_script_gets_json_with_the_undo_address(client, curator, flagged):
    flag = flagged[1]
    url = reverse("admin:moderation_flag_decide", args=[flag.pk])
    answer = client.post(url, {"decision": "dismiss"}, headers={"Accept": "application/json"})
    body = answer.json()
    assert body["status"] == "Dismissed" and body["photo"] == "Active"
    assert body["message"] == f"Kept photo {flag.image_id} under Katy Perry; flag dismissed."
    undone = client.post(body["undo"], headers={"Accept": "application/json"}).json()
    assert undone["open"] is True and undone["flag"] == flag.pk
    again = client.post(url, {"decision": "nonsense"}, headers={"Accept": "application/json"})
    assert again.status_code == 409


def test_the_move_page_shows_the_photo_and_moves_it(client, curator, flagged):
    flag = flagged[0]
    url = reverse("admin:moderation_flag_move", args=[flag.pk])
    page = client.get(url).content.decode()
    assert "filed under" in page and "Matt Damon" in page
    assert flag.image.file.url in page  # the whole photo, large
    assert page.count('of Matt Damon" class="face-thumb"') == 3  # and the actor's typical photos
    katy = Actor.objects.get(name="Katy Perry")
    here = reverse(QUEUE) + "?status=open"
    response = client.post(url, {"actor": katy.pk, "next": here})
    assert response.status_code == 302 and response["Location"] == here
    flag = Flag.objects.select_related("image__actor", "actor").get(pk=flag.pk)
    assert flag.status == "confirmed" and flag.image.actor == katy
    queue = client.get(reverse(QUEUE) + "?status=all").content.decode()
    assert "→ moved to Katy Perry" in queue


def test_the_flag_page_has_the_buttons_and_notes_are_added_not_edited(client, curator, flagged):
    flag = flagged[0]
    change = reverse("admin:moderation_flag_change", args=[flag.pk])
    page = client.get(change).content.decode()
    assert "Exclude: not this actor" in page and "Keep: photo is right" in page
    assert 'name="notes"' not in page  # visitors' notes are read-only
    assert 'value="Save"' not in page
    client.post(change, {"notes": "overwritten"})
    assert Flag.objects.get(pk=flag.pk).notes == "not him"
    note = reverse("admin:moderation_flag_note", args=[flag.pk])
    client.post(note, {"note": "asked the visitor", "next": change})
    flag = Flag.objects.get(pk=flag.pk)
    assert flag.curator_notes.endswith("cora: asked the visitor")
    assert AuditEntry.objects.filter(action="note", flag=flag, username="cora").exists()
    assert "cora: asked the visitor" in client.get(change).content.decode()


def test_reopen_and_restore_from_a_settled_flag(client, curator, flagged):
    flag = flagged[2]
    client.post(reverse("admin:moderation_flag_decide", args=[flag.pk]), {"decision": "confirm"})
    page = client.get(reverse(QUEUE) + "?status=confirmed").content.decode()
    assert "Reopen" in page and "Restore photo" in page
    client.post(reverse("admin:moderation_image_restore", args=[flag.image_id]))
    assert status(flag.image_id) == "active"
    client.post(reverse("admin:moderation_flag_reopen", args=[flag.pk]))
    assert Flag.objects.get(pk=flag.pk).status == "open"
    assert status(flag.image_id) == "active"  # changed since the confirm: left as it is


def test_excluded_photos_can_be_restored_from_their_page_and_the_photo_list(
    client, curator, small_catalogue
):
    first, second = ActorImage.objects.order_by("pk")[:2]
    image_exclude(first, curator)
    image_exclude(second, curator)
    page = client.get(reverse("admin:actors_actorimage_change", args=[first.pk])).content.decode()
    assert "Restore to the catalogue" in page
    page = client.post(
        reverse("admin:moderation_image_restore", args=[first.pk]), follow=True
    ).content.decode()
    assert status(first.pk) == "active"
    assert f"Restored photo {first.pk} to the catalogue" in page
    undo = re.search(r'<form method="post" action="([^"]+)" class="undo-form">', page)
    client.post(undo[1])  # Undo reverses exactly the restore
    assert status(first.pk) == "excluded"
    client.post(reverse("admin:moderation_image_restore", args=[first.pk]))
    response = client.post(
        reverse("admin:actors_actorimage_changelist"),
        {"action": "restore_photos", "_selected_action": [second.pk]},
        follow=True,
    )
    assert status(second.pk) == "active"
    assert "Restored 1 photo." in response.content.decode()


def test_bulk_actions_speak_in_plurals(client, curator, flagged):
    response = client.post(
        reverse(QUEUE),
        {"action": "confirm", "_selected_action": [flagged[0].pk]},
        follow=True,
    )
    assert "Confirmed 1 flag." in response.content.decode()
    response = client.post(
        reverse(QUEUE),
        {"action": "dismiss", "_selected_action": [flagged[1].pk, flagged[2].pk]},
        follow=True,
    )
    assert "Dismissed 2 flags." in response.content.decode()


def test_a_staff_member_who_is_not_a_curator_cannot_decide(client, flagged):
    clerk = User.objects.create_user("clerk", password="x" * 20, is_staff=True)
    client.force_login(clerk)
    flag = flagged[0]
    urls = [
        reverse("admin:moderation_flag_decide", args=[flag.pk]),
        reverse("admin:moderation_flag_reopen", args=[flag.pk]),
        reverse("admin:moderation_flag_note", args=[flag.pk]),
        reverse("admin:moderation_flag_move", args=[flag.pk]),
        reverse("admin:moderation_image_restore", args=[flag.image_id]),
    ]
    for url in urls:
        assert client.post(url, {"decision": "confirm", "note": "x"}).status_code == 403, url
    assert Flag.objects.get(pk=flag.pk).status == "open" and not AuditEntry.objects.exists()


def test_the_audit_log_links_flag_and_photo_and_reads_before_and_after(client, curator, flagged):
    flag = flagged[0]
    katy = Actor.objects.get(name="Katy Perry")
    client.post(reverse("admin:moderation_flag_move", args=[flag.pk]), {"actor": katy.pk})
    page = client.get(reverse("admin:moderation_auditentry_changelist")).content.decode()
    assert "<h1>Audit log</h1>" in page
    assert reverse("admin:moderation_flag_change", args=[flag.pk]) in page
    assert reverse("admin:actors_actorimage_change", args=[flag.image_id]) in page
    assert "actor: Matt Damon → Katy Perry; flag: open → confirmed" in page
    assert "{&quot;" not in page  # no raw JSON in the list
