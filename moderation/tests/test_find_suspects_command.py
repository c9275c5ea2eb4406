import io
import json

import pytest
from django.core.management import call_command

from actors.models import ActorImage
from moderation.models import Flag
from moderation.services import flag_dismiss

pytestmark = pytest.mark.django_db

PEOPLE = ["Elton_John", "Madonna", "Mindy_Kaling"]
INTRUDER = "gallery/Jerry_Seinfeld/1.jpg"  # nobody else of his is in this catalogue


@pytest.fixture
def misfiled_gallery(make_catalogue):
    """Three people with six photos each, and a photo of a fourth filed under Madonna."""
    layout = {person: [f"gallery/{person}/{n}.jpg" for n in range(1, 7)] for person in PEOPLE}
    layout["Madonna"].append(INTRUDER)
    root = make_catalogue(layout)
    assert ActorImage.objects.count() == 19
    return ActorImage.objects.get(source=str(root / "Madonna" / "7-1.jpg"))


def run(*args) -> str:
    out = io.StringIO()
    call_command("find_suspects", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_misfiled_photo_first(misfiled_gallery):
    lines = [json.loads(line) for line in run("--json").splitlines()]

    assert lines, "the misfiled photo was not listed"
    first = lines[0]
    assert list(first) == ["image", "actor", "source", "score"]
    assert first["image"] == misfiled_gallery.pk
    assert first["actor"] == "Madonna"
    assert first["source"] == misfiled_gallery.source
    assert isinstance(first["score"], float)
    # The six photos of each real person are consistent: nobody else passes the threshold.
    assert len(lines) == 1, lines
    assert Flag.objects.get().image_id == misfiled_gallery.pk


def test_each_run_opens_flags_once_and_prints_what_it_opened(misfiled_gallery):
    output = run().splitlines()
    assert f"image {misfiled_gallery.pk} under Madonna" in output[0]
    assert output[-1].startswith("1 flag opened")
    flag = Flag.objects.get()
    assert flag.image == misfiled_gallery and flag.source == "automatic"
    assert flag.score and flag.status == "open"
    misfiled_gallery.refresh_from_db()
    assert misfiled_gallery.status == "active"  # an automatic flag waits for a curator

    # The open flag is not raised again, nor after a curator dismissed it.
    assert run("--json") == ""
    flag_dismiss(flag, user=None)
    assert run("--json") == ""
    assert Flag.objects.count() == 1
