"""`match IMAGE ... [--top N] --json`: the contract other tools read."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from actors.models import ActorImage
from matching.services import index_build

pytestmark = pytest.mark.django_db


def run_match(*args) -> str:
    out = io.StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def json_lines(*args) -> list[dict]:
    return [json.loads(line) for line in run_match("--json", *args).splitlines()]


@pytest.fixture
def indexed(small_catalogue):
    index_build()
    return small_catalogue


def test_json_shape_and_best_match_first(indexed, faces_dir):
    photo = faces_dir / "extras" / "low_res_240p_obama.jpg"
    [result] = json_lines(str(photo))
    assert set(result) == {"image", "error", "faces"}
    assert result["image"] == str(photo) and result["error"] is None
    [face] = result["faces"]
    assert set(face) == {"box", "matches"} and len(face["box"]) == 4
    top, right, bottom, left = face["box"]
    assert 0 <= left < right <= 427 and 0 <= top < bottom <= 240
    matches = face["matches"]
    assert [m["actor"] for m in matches][0] == "Barack Obama"
    assert len(matches) == 3
    assert all(set(m) == {"actor", "distance", "similarity", "closest_image"} for m in matches)
    distances = [m["distance"] for m in matches]
    assert distances == sorted(distances)
    similarities = [m["similarity"] for m in matches]
    assert similarities == sorted(similarities, reverse=True)
    assert all(0 <= s <= 100 for s in similarities)
    closest = ActorImage.objects.get(pk=matches[0]["closest_image"])
    assert closest.actor.name == "Barack Obama"


def test_every_face_of_a_group_photo_is_matched(indexed, faces_dir):
    [result] = json_lines("--top", "1", str(faces_dir / "extras" / "group_obama_and_biden.jpg"))
    assert len(result["faces"]) == 3
    assert all(len(face["matches"]) == 1 for face in result["faces"])
    assert "Barack Obama" in {face["matches"][0]["actor"] for face in result["faces"]}


def test_one_line_per_image_with_errors_in_place(indexed, faces_dir, tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("hello")
    paths = [
        faces_dir / "extras" / "no_face_dogs.jpg",
        text,
        tmp_path / "missing.jpg",
        faces_dir / "gallery" / "Matt_Damon" / "1.jpg",
    ]
    results = json_lines(*map(str, paths))
    assert [r["image"] for r in results] == list(map(str, paths))
    assert "could not find a face" in results[0]["error"] and results[0]["faces"] == []
    assert "not an image" in results[1]["error"]
    assert "Cannot read the file" in results[2]["error"]
    assert results[3]["error"] is None
    assert results[3]["faces"][0]["matches"][0]["actor"] == "Matt Damon"
    assert results[3]["faces"][0]["matches"][0]["distance"] == pytest.approx(0, abs=1e-4)


def test_plain_output_is_readable(indexed, faces_dir):
    output = run_match(str(faces_dir / "gallery" / "Katy_Perry" / "6.jpg"))
    assert "face 1 at" in output and "Katy Perry" in output and "%" in output


def test_without_an_index_the_command_says_what_to_do(db, faces_dir):
    with pytest.raises(CommandError, match="run `python manage.py build_index`"):
        run_match(str(faces_dir / "gallery" / "Matt_Damon" / "1.jpg"))


def test_top_must_be_positive(indexed, faces_dir):
    with pytest.raises(CommandError, match="--top"):
        run_match("--top", "0", str(faces_dir / "gallery" / "Matt_Damon" / "1.jpg"))
