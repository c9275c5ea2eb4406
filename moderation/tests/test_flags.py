"""Flags: raised by visitors, curators and the automatic check; resolved by curators; audited."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actors.models import Actor, ActorImage
from matching.models import Match, Resemblance
from moderation.models import AuditEntry, Flag
from moderation.services import flag_confirm, flag_dismiss, image_exclude, image_flag, image_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(db):
    return User.objects.create_user("cora", password="x" * 20, is_staff=True)


@pytest.fixture
def result(client, upload, indexed_catalogue):
    """A finished result and the reference photo it shows first."""
    location = upload("gallery/Katy_Perry/5.jpg")["Location"]
    shown = Resemblance.objects.get(rank=1)
    return location, shown


def report(client, location, image_id, note=""):
    token = location.split("/")[2]
    return client.post(reverse("report-photo", args=[token, image_id]), {"note": note})


def test_a_visitor_reports_a_photo_in_one_click(client, result):
    location, shown = result
    response = report(client, location, shown.reference_image_id, note="that is her sister")
    assert response.status_code == 302 and response["Location"].startswith(location)
    flag = Flag.objects.get()
    assert (flag.image_id, flag.source, flag.status, flag.reports) == (
        shown.reference_image_id,
        "visitor",
        "open",
        1,
    )
    assert "her sister" in flag.notes
    # A visitor's report waits for a curator: the photo stays in the catalogue meanwhile.
    assert ActorImage.objects.get(pk=shown.reference_image_id).status == "active"
    assert (
        "Reported, thanks — a curator will check it"
        in client.get(response["Location"]).content.decode()
    )


def test_reports_of_several_visitors_add_to_one_flag(client, result):
    location, shown = result
    for note in ("one", "two", "three"):
        report(Client(), location, shown.reference_image_id, note=note)
    flag = Flag.objects.get()
    assert flag.reports == 3 and flag.notes.split() == ["one", "two", "three"]


def test_only_photos_shown_on_the_result_can_be_reported(client, result):
    location, shown = result
    other = ActorImage.objects.exclude(
        pk__in=Resemblance.objects.values("reference_image_id")
    ).first()
    assert report(client, location, other.pk).status_code == 404
    assert not Flag.objects.exists()


def test_reports_are_rate_limited(client, result, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "flags": "2/hour"},
    }
    location, shown = result
    visitors = [Client() for _ in range(3)]  # one address, three browsers
    codes = [report(v, location, shown.reference_image_id).status_code for v in visitors]
    assert codes == [302, 302, 429]
    assert Flag.objects.get().reports == 2


def test_a_private_result_cannot_be_used_to_report(client, result):
    location, shown = result
    Match.objects.update(visibility="private")
    assert report(client, location, shown.reference_image_id).status_code == 404


def test_curator_flag_holds_the_photo_out_and_resolutions_are_audited(curator, small_catalogue):
    image = ActorImage.objects.filter(actor__name="Matt Damon").first()
    flag = image_flag(image, source=Flag.Source.CURATOR, user=curator)
    assert ActorImage.objects.get(pk=image.pk).status == "flagged"

    flag_dismiss(flag, curator)
    assert ActorImage.objects.get(pk=image.pk).status == "active"
    flag = Flag.objects.get(pk=flag.pk)
    assert flag.status == "dismissed" and flag.resolved_by == curator and flag.resolved_at

    second = image_flag(image, source=Flag.Source.VISITOR)
    assert second.pk != flag.pk  # a new open flag: the old one is settled
    flag_confirm(second, curator)
    assert ActorImage.objects.get(pk=image.pk).status == "excluded"

    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["flag", "dismiss", "confirm"]
    last = AuditEntry.objects.latest("id")
    assert last.username == "cora" and last.before["status"] == "active"
    assert last.after == {**last.before, "status": "excluded", "flag": "confirmed"}


def test_moving_a_photo_to_another_actor(curator, small_catalogue):
    image = ActorImage.objects.filter(actor__name="Matt Damon").first()
    flag = image_flag(image, source=Flag.Source.VISITOR)
    katy = Actor.objects.get(name="Katy Perry")
    image_move(image, katy, curator)
    assert ActorImage.objects.get(pk=image.pk).actor == katy
    assert Flag.objects.get(pk=flag.pk).status == "confirmed"
    entry = AuditEntry.objects.get(action="move")
    assert entry.before["actor"] == "Matt Damon" and entry.after["actor"] == "Katy Perry"


def test_excluding_without_a_flag(curator, small_catalogue):
    image = ActorImage.objects.first()
    image_exclude(image, curator)
    assert ActorImage.objects.get(pk=image.pk).status == "excluded"
    assert AuditEntry.objects.get().action == "exclude"
