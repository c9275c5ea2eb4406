"""REST API v1: what a client program sees."""

import io
import socket
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.validation import validate_schema
from jsonschema import Draft202012Validator

from actors.models import Actor
from matching.models import Match
from testkit.photos import REFUSED_FORMATS, animated_png, in_format, one_colour_png, png_bomb
from testkit.servers import project_env, read_answer, start_gunicorn

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
    assert set(face) == {"box", "matches", "share_image", "story_image"} and len(face["box"]) == 4
    pictures = f"http://testserver/r/{match.token}/faces/0/"
    assert face["share_image"] == pictures + "share.jpg"
    assert face["story_image"] == pictures + "story.jpg"
    assert client.get(face["story_image"])["Content-Type"] == "image/jpeg"
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
        (lambda p: animated_png(p), 400, "animated_image"),
    ],
    ids=["pdf", "truncated", "bomb", "animated-png"],
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
    # Only accepted uploads count: a refused one costs nothing (common/tests/test_rate_limits.py).
    assert upload(b"not an image", api=True).status_code == 400
    assert [upload(api=True, run_task=False).status_code for _ in range(2)] == [202, 202]
    response = upload(api=True, run_task=False)
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


@pytest.mark.parametrize("fmt", sorted(REFUSED_FORMATS))
def test_formats_we_do_not_document_are_refused(upload, faces_dir, settings, fmt):
    data = in_format((faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes(), fmt)
    response = upload(data, name=f"photo.{REFUSED_FORMATS[fmt]}", api=True)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "not_an_image",
        "message": "This file is not an image we can read. "
        "Please upload a JPEG, PNG, WebP or HEIC photo.",
    }
    assert not Match.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "visitors").exists()


def test_a_62_megapixel_png_is_accepted_and_the_worker_finishes_it(
    client, upload, indexed_catalogue, settings
):
    response = upload(one_colour_png(7900, 7900), name="big.png", api=True)
    assert response.status_code == 202
    result = client.get(response.json()["url"]).json()
    assert result["status"] == "failed" and result["error"]["code"] == "no_face"
    match = Match.objects.get()
    assert not match.original and max(match.photo_width, match.photo_height) == 2000
    assert not default_storage.exists(match.file_name("original"))


def test_damage_that_only_decoding_shows_ends_as_a_failed_result(
    client, upload, indexed_catalogue, settings
):
    whole = one_colour_png(7900, 7900)
    response = upload(whole[: len(whole) // 2], name="big.png", api=True)
    assert response.status_code == 202  # the header is sound; the pixels are for the worker
    result = client.get(response.json()["url"]).json()
    assert result["status"] == "failed"
    assert result["error"] == {
        "code": "damaged_image",
        "message": (
            "This image is damaged or incomplete. "
            "Please try another copy of the photo (JPEG, PNG, WebP or HEIC)."
        ),
    }
    match = Match.objects.get()
    assert not match.original and not default_storage.exists(match.file_name("original"))


def multipart(parts: list[tuple[str, bytes, str | None]], boundary="b0undary") -> bytes:
    """A multipart body: (field name, content, file name or None)."""
    body = b""
    for name, content, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    "parts, status, code",
    [
        ([(f"field{n}", b"x", None) for n in range(1001)], 400, "too_many_fields"),
        ([("image", b"x", f"{n}.jpg") for n in range(101)], 400, "too_many_files"),
        ([("note", b"x" * 3_000_000, None)], 413, "too_large"),
    ],
    ids=["1001-fields", "101-files", "3-MB-field"],
)
def test_requests_django_refuses_while_parsing_get_the_json_error(client, db, parts, status, code):
    response = client.generic(
        "POST",
        "/api/v1/matches/",
        multipart(parts),
        content_type="multipart/form-data; boundary=b0undary",
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


def test_a_body_over_the_limit_gets_a_json_413_before_it_is_sent(live_server, settings):
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 15_000_000
    host, port = live_server.thread.host, live_server.thread.port
    head = (
        f"POST /api/v1/matches/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: multipart/form-data; boundary=b0undary\r\n"
        "Content-Length: 200000000\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=60) as server:
        server.sendall(head.encode() + b"--b0undary\r\n" + b"\xff" * 4096)
        status, headers, body = read_answer(server)
    assert status == 413 and headers["content-type"] == "application/json"
    assert body.decode() == (
        '{"error": {"code": "too_large", '
        '"message": "This file is over 15 MB. '
        'Please upload a smaller JPEG, PNG, WebP or HEIC photo."}}'
    )


@pytest.fixture
def gunicorn(transactional_db, settings, tmp_path):
    """The site under gunicorn, which de-chunks request bodies, with a 100 kB upload limit."""
    if connection.vendor != "postgresql":
        pytest.skip("the server needs a database it can share: set DATABASE_URL to PostgreSQL")
    env = project_env(settings, LOOKALIKE_UPLOAD_MAX_BYTES=100_000)
    server, address = start_gunicorn(env, tmp_path / "gunicorn.log")
    try:
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)


def send_chunked(address: str, path: str, body: bytes, stop_at: int | None = None):
    """POST body in 8 kB chunks and read the answer; with stop_at, the client sends that much and
    then waits, the body unfinished, so only a server that stops reading by itself answers."""
    host, port = address.split(":")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address}\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: multipart/form-data; boundary=b0undary\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=60) as server:
        server.sendall(head.encode())
        sent = body[:stop_at] if stop_at else body
        for start in range(0, len(sent), 8192):
            chunk = sent[start : start + 8192]
            server.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        if not stop_at:
            server.sendall(b"0\r\n\r\n")
        return read_answer(server)


def test_a_chunked_body_is_read_up_to_the_limit_and_no_further(gunicorn, faces_dir):
    text = multipart([("image", b"not a photo at all", "a.jpg")])
    status, headers, body = send_chunked(gunicorn, "/api/v1/matches/", text)
    assert status == 400, body  # read and parsed: the file reached the face engine
    assert b'"not_an_image"' in body

    photo = (faces_dir / "extras" / "very_large_4600px_clooney.jpg").read_bytes()
    over = multipart([("image", photo, "big.jpg")])
    # The limit is 100 kB and 64 kB of room; the client sends 240 kB of its 1.5 MB and waits.
    status, headers, body = send_chunked(gunicorn, "/api/v1/matches/", over, stop_at=240_000)
    assert status == 413 and headers["content-type"] == "application/json"
    assert b'"too_large"' in body and b"over 0.1 MB" in body
    page = multipart([("photo", photo, "big.jpg")])
    status, headers, body = send_chunked(gunicorn, "/", page, stop_at=240_000)
    assert status == 413 and headers["content-type"].startswith("text/html")
    assert not Match.objects.exists()


@pytest.fixture
def api_schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_openapi_schema_is_valid_and_describes_the_photo_as_a_file(api_schema):
    validate_schema(api_schema)  # against the OpenAPI 3 specification's own JSON schema
    assert set(api_schema["paths"]) == {
        "/api/v1/matches/",
        "/api/v1/matches/{token}/",
        "/api/v1/actors/",
        "/api/v1/auth/token/",
    }
    upload = api_schema["paths"]["/api/v1/matches/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]  # a file cannot travel url-encoded
    fields = resolve(api_schema, upload["multipart/form-data"]["schema"])
    assert fields["properties"]["image"] == {
        "type": "string",
        "format": "binary",
        "description": "The photo: JPEG, PNG, WebP or HEIC.",
    }
    assert fields["properties"]["share_face"]["type"] == "boolean"
    assert fields["required"] == ["image"]
    login = api_schema["paths"]["/api/v1/auth/token/"]["post"]["requestBody"]["content"]
    credentials = resolve(api_schema, login["application/json"]["schema"])
    assert all(credentials["properties"][f]["minLength"] == 1 for f in ("username", "password"))
    error = resolve(api_schema, {"$ref": "#/components/schemas/Error"})
    detail = resolve(api_schema, error["properties"]["error"])
    assert detail["required"] == ["code", "message"]


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        target = schema
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def as_json_schema(node):
    """OpenAPI 3.0 says `nullable: true` where JSON Schema says the type may be null."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def check_documented(api_schema: dict, method: str, path: str, response) -> None:
    """The answer's status is among those the schema lists for the operation, and its body has
    the shape the schema gives for that status."""
    operation = api_schema["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path}: {status} is not documented"
    documented = operation["responses"][status]["content"]["application/json"]["schema"]
    root = {**as_json_schema(documented), "components": as_json_schema(api_schema["components"])}
    errors = [e.message for e in Draft202012Validator(root).iter_errors(response.json())]
    assert not errors, f"{method} {path} {status}: {errors}"


def test_every_answer_the_api_gives_is_documented_with_its_shape(
    api_schema, client, indexed_catalogue, faces_dir, settings, django_user_model
):
    from django.test import Client

    photo = (faces_dir / "extras" / "low_res_240p_obama.jpg").read_bytes()

    def upload(data=photo, via=client, headers=None, **fields):
        handle = io.BytesIO(data)
        handle.name = "photo.jpg"
        return via.post("/api/v1/matches/", {"image": handle, **fields}, **(headers or {}))

    def rates(**changed):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **changed,
            },
        }
        cache.clear()

    rates(uploads_api_anonymous="100/hour")

    bad_token = {"HTTP_AUTHORIZATION": "Token not-a-real-token"}
    user = django_user_model.objects.create_user("ada", password="a long passphrase 42")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    matches, match, actors, token = (
        ("post", "/api/v1/matches/"),
        ("get", "/api/v1/matches/{token}/"),
        ("get", "/api/v1/actors/"),
        ("post", "/api/v1/auth/token/"),
    )
    created = upload()
    answers = [
        (matches, created, 202),
        (matches, upload(b"not a photo"), 400),
        (matches, upload(share_face="0"), 400),
        (matches, client.post("/api/v1/matches/", {}), 400),
        (matches, upload(headers=bad_token), 401),
        (matches, upload(via=browser), 403),
        (matches, client.post("/api/v1/matches/", {"x": 1}, "application/json"), 415),
        (match, client.get(created.json()["url"]), 200),
        (match, client.get("/api/v1/matches/no-such-token/"), 404),
        (match, client.get(created.json()["url"], **bad_token), 401),
        (actors, client.get("/api/v1/actors/", {"search": "oba"}), 200),
        (actors, client.get("/api/v1/actors/", {"page": 0}), 404),
        (actors, client.get("/api/v1/actors/", **bad_token), 401),
        (
            token,
            client.post(token[1], {"username": "ada", "password": "a long passphrase 42"}),
            200,
        ),
        (token, client.post(token[1], {}), 400),
        (token, client.post(token[1], {"username": "", "password": "x"}), 400),
        (token, client.post(token[1], "username=ada", "text/plain"), 415),
        (token, client.post(token[1], {"username": "ada", "password": "x"}, **bad_token), 401),
    ]
    answers.append((token, browser.post(token[1], {"username": "ada", "password": "x"}), 403))
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 1000
    answers.append((matches, upload(), 413))
    long_password = {"username": "ada", "password": "x" * 100_000}
    answers.append((token, client.post(token[1], long_password), 413))
    settings.LOOKALIKE_UPLOAD_MAX_BYTES = 15_000_000
    rates(uploads="1/minute", login_address="1/minute")
    upload()  # accepted: only accepted uploads count
    answers.append((matches, upload(), 429))
    client.post(token[1], {"username": "ada", "password": "x"})
    answers.append((token, client.post(token[1], {"username": "ada", "password": "x"}), 429))

    for (method, path), response, status in answers:
        assert response.status_code == status, (method, path, response.content[:300])
        check_documented(api_schema, method, path, response)
    documented = {
        (method, path, status)
        for path, operations in api_schema["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    assert {(method, path, str(status)) for (method, path), _, status in answers} == documented
