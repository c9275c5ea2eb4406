"""The whole flow on the demo gallery: a catalogue of all but one photo of each person, the
`build_index` command, and the `match` command recognising each held-out photo.

The catalogue holds the rows `import_gallery` writes, made from the photos' session-cached scans
(actors/tests/test_catalogue_factories.py shows they are the same; the import itself is tested
in actors/tests/test_import_gallery.py). The held-out photos go through the real `match`."""

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def command_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_held_out_gallery_photos_are_recognised(faces_dir, make_catalogue):
    layout, held_out = {}, {}
    for person in sorted(p for p in (faces_dir / "gallery").iterdir() if p.is_dir()):
        photos = sorted(person.iterdir())
        layout[person.name] = [str(photo.relative_to(faces_dir)) for photo in photos[:-1]]
        held_out[str(photos[-1])] = person.name.replace("_", " ")
    make_catalogue(layout)

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
