"""REST API v1: what a client program sees."""

import pytest

from actors.models import Actor
from matching.models import Match
from testkit.photos import animated_gif, png_bomb

pytestmark = pytest.mark.django_db


def test_upload_returns_202_with_its_url_and_the_result_reads_like_the_command(
    client, upload, indexed_catalogue
):
    response = upload("extras/low_res_240p_obama.jpg", api=True)
    assert response.status_code == 202
    body = response.json()
    match = Match.objects.get()
    assert body["url"] == f"http://testserver/api/v1/matches/{match.token}/"
    assert response["Location"] == body["url"]

    result = client.get(body["url"]).json()
    assert result["status"] == "done" and result["error"] is None
    assert result["page_url"] == f"http://testserver/r/{match.token}/"
    [face] = result["faces"]
    assert set(face) == {"box", "matches"} and len(face["box"]) == 4
    assert [set(m) for m in face["matches"]] == [
        {"actor", "distance", "similarity", "closest_image"}
    ] * 3
    assert face["matches"][0]["actor"] == "Barack Obama"
    distances = [m["distance"] for m in face["matches"]]
    assert distances == sorted(distances)


def test_a_failed_match_reports_its_error(client, upload, indexed_catalogue):
    body = upload("extras/no_face_dogs.jpg", api=True).json()
    result = client.get(body["url"]).json()
    assert result["status"] == "failed" and result["faces"] == []
    assert result["error"]["code"] == "no_face"
    assert "could not find a face" in result["error"]["message"]


@pytest.mark.parametrize(
    "make, status, code",
    [
        (lambda p: b"%PDF-1.4 not an image", 400, "not_an_image"),
        (lambda p: p[:5000], 400, "damaged_image"),
        (lambda p: png_bomb(), 413, "too_large"),
        (lambda p: animated_gif(p), 400, "animated_image"),
    ],
    ids=["pdf", "truncated", "bomb", "animated-gif"],
)
def test_bad_files_get_a_json_error_and_nothing_is_saved(upload, db, faces_dir, make, status, code):
    portrait = (faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes()
    response = upload(make(portrait), api=True)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert not Match.objects.exists()


def test_missing_field_is_a_400_naming_it(client, db):
    response = client.post("/api/v1/matches/", {})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "image" in error["fields"]


def test_too_many_bytes_is_a_413(upload, db, settings):
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 10_000
    response = upload("gallery/Matt_Damon/1.jpg", api=True)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_uploads_are_throttled_per_client(upload, db, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "uploads": "2/minute"},
    }
    data = b"not an image, but counted all the same"
    assert [upload(data, api=True).status_code for _ in range(2)] == [400, 400]
    response = upload(data, api=True)
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled" and 0 < error["retry_after"] <= 61
    assert int(response["Retry-After"]) > 0


def test_unknown_match_is_a_json_404(client, db):
    response = client.get("/api/v1/matches/nope/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_actors_can_be_searched_and_paged(client, indexed_catalogue):
    for number in range(25):
        Actor.objects.create(name=f"Extra Person {number:02}", slug=f"extra-{number}")
    first = client.get("/api/v1/actors/").json()
    assert first["count"] == 28 and len(first["results"]) == 20 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 8
    found = client.get("/api/v1/actors/", {"search": "damon"}).json()
    assert [a["name"] for a in found["results"]] == ["Matt Damon"]
    assert found["results"][0]["image_count"] == 4


def test_openapi_schema_describes_the_endpoints(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json() if "json" in response["Content-Type"] else None
    text = response.content.decode()
    assert "/api/v1/matches/" in text and "/api/v1/actors/" in text
    assert schema is None or "openapi" in schema
