"""The whole flow on the demo gallery: import all but one photo of each person, build the index,
and recognise each held-out photo through the `match` command."""

import io
import json
import shutil

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def command_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_held_out_gallery_photos_are_recognised(faces_dir, tmp_path):
    catalogue, held_out = tmp_path / "catalogue", {}
    for person in sorted(p for p in (faces_dir / "gallery").iterdir() if p.is_dir()):
        photos = sorted(person.iterdir())
        (catalogue / person.name).mkdir(parents=True)
        for photo in photos[:-1]:
            shutil.copy(photo, catalogue / person.name / photo.name)
        held_out[str(photos[-1])] = person.name.replace("_", " ")

    command_output("import_gallery", str(catalogue))
    assert "21 actors" in command_output("build_index")
    results = [
        json.loads(line) for line in command_output("match", "--json", *held_out).splitlines()
    ]

    first, top3 = 0, 0
    for result in results:
        assert result["error"] is None, result
        assert len(result["faces"]) == 1, result["image"]
        actors = [m["actor"] for m in result["faces"][0]["matches"]]
        first += actors[0] == held_out[result["image"]]
        top3 += held_out[result["image"]] in actors
    print(f"held-out photos: {len(results)}, top-1 {first}, top-3 {top3}")
    assert len(results) == 21
    assert first >= 20 and top3 == 21
