"""Visitors' feedback on a result: one report per visitor and photo, and good/bad ratings."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from matching.models import Match, Resemblance
from matching.services import match_delete
from moderation.models import Flag, MatchRating, VisitorReport
from moderation.selectors_ratings import rating_summary

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}


@pytest.fixture
def result(client, upload, indexed_catalogue):
    location = upload("gallery/Katy_Perry/5.jpg")["Location"]
    return location, Resemblance.objects.get(rank=1)


def report(visitor, location, image_id, **headers):
    token = location.split("/")[2]
    url = reverse("report-photo", args=[token, image_id])
    return visitor.post(url, {"face": 0, "note": "not her"}, headers=headers)


def rate(visitor, location, verdict, rank=1, **headers):
    token = location.split("/")[2]
    data = {"face": 0, "rank": rank, "verdict": verdict}
    return visitor.post(reverse("rate-match", args=[token]), data, headers=headers)


def test_a_visitor_reports_a_photo_once_and_is_told_so_in_place(client, result):
    location, shown = result
    first = report(client, location, shown.reference_image_id, **JSON)
    assert first.json() == {
        "reported": True,
        "message": "Reported, thanks — a curator will check it.",
    }
    second = report(client, location, shown.reference_image_id, **JSON)
    assert second.json() == {"reported": False, "message": "You already reported this photo."}
    assert Flag.objects.get().reports == 1 and VisitorReport.objects.count() == 1
    # The row now says it was reported instead of offering the form again.
    html = client.get(location).content.decode()
    assert "Reported, thanks — a curator will check it." in html
    assert html.count("Wrong person in this photo?") == Resemblance.objects.count() - 1


def test_without_javascript_a_report_comes_back_to_its_row(client, result):
    location, shown = result
    response = report(client, location, shown.reference_image_id)
    assert response.status_code == 302 and response["Location"] == f"{location}?face=0#match-1"
    again = report(client, location, shown.reference_image_id)
    assert "You already reported this photo." in client.get(again["Location"]).content.decode()


def test_an_account_is_one_visitor_whatever_the_browser(client, result):
    location, shown = result
    user = User.objects.create_user("ada", password="x" * 20)
    laptop, phone = Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    assert report(laptop, location, shown.reference_image_id, **JSON).json()["reported"]
    assert not report(phone, location, shown.reference_image_id, **JSON).json()["reported"]
    assert report(Client(), location, shown.reference_image_id, **JSON).json()["reported"]
    assert Flag.objects.get().reports == 2


def test_a_rating_is_stored_once_per_visitor_and_can_be_changed(client, result):
    location, shown = result
    assert rate(client, location, "good", **JSON).json()["rating"] == "good"
    assert rate(client, location, "bad", **JSON).json()["rating"] == "bad"
    rating = MatchRating.objects.get()
    assert (rating.actor_name, rating.rank, rating.good) == ("Katy Perry", 1, False)
    assert rating.similarity == shown.similarity
    html = client.get(location).content.decode()
    row = html.split('id="match-1"')[1].split("</li>")[0]
    assert 'value="bad" class="chip" aria-pressed="true"' in row
    assert 'value="good" class="chip" aria-pressed="false"' in row

    rate(Client(), location, "good")
    assert MatchRating.objects.count() == 2
    summary = rating_summary()
    assert (summary["total"], summary["good"], summary["bad"]) == (2, 1, 1)
    assert summary["worst_actors"][0]["actor_name"] == "Katy Perry"


def test_without_javascript_a_rating_comes_back_to_its_row(client, result):
    location, _ = result
    response = rate(client, location, "good", rank=2)
    assert response.status_code == 302 and response["Location"] == f"{location}?face=0#match-2"
    assert MatchRating.objects.get().rank == 2


def test_only_rows_of_the_result_can_be_rated(client, result):
    location, _ = result
    assert rate(client, location, "good", rank=99).status_code == 404
    assert rate(client, location, "maybe").status_code == 400
    assert not MatchRating.objects.exists()


def test_ratings_outlive_the_result_without_anything_of_the_face(client, result):
    location, _ = result
    rate(client, location, "good")
    match_delete(Match.objects.get())
    rating = MatchRating.objects.get()
    assert rating.match_id is None and rating.actor_name == "Katy Perry"


def test_the_health_page_counts_ratings(client, result):
    from django.test import Client

    from accounts.models import User
    from moderation.roles import curators_group_sync

    location, _ = result
    rate(client, location, "bad")
    curator = User.objects.create_user("cora", password="x" * 20, is_staff=True)
    curator.groups.add(curators_group_sync())
    admin = Client()
    admin.force_login(curator)
    html = admin.get(reverse("admin:moderation_health")).content.decode()
    assert "1 rating: 0 good, 1 bad (0% good)." in html and "Katy Perry" in html
