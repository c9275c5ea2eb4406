"""build_catalogue: IMDb selection, Commons photos (a stand-in at the one seam, until the Commons
import is merged), suspects check, a summary, and resuming after a failure or an interruption.
Killing the process mid-run: tests/test_build_catalogue_killed.py."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from actors.models import Actor, ActorImage
from moderation import catalogue
from moderation.models import CatalogueBuild, Flag
from testkit.commons_standin import CommonsStandIn, write_people_imdb

pytestmark = pytest.mark.django_db


@pytest.fixture
def imdb_dir(tmp_path):
    folder = tmp_path / "imdb"
    write_people_imdb(folder)
    return folder


@pytest.fixture
def commons(monkeypatch, faces_dir, photo_scans):
    """The stand-in Commons import, installed where build_catalogue looks for the real one;
    it also files a photo of Jerry Seinfeld under Madonna, for the suspects check to find."""
    standin = CommonsStandIn(
        gallery=faces_dir / "gallery",
        scans=photo_scans,
        extra={"Madonna": [faces_dir / "gallery/Jerry_Seinfeld/1.jpg"]},
    )
    monkeypatch.setitem(sys.modules, "actors.commons", standin.as_module())
    return standin


def run(imdb_dir, *args) -> list[str]:
    out = io.StringIO()
    call_command("build_catalogue", f"--imdb-dir={imdb_dir}", "--top=3", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_steps_run_in_order_and_the_summary_counts_complete_actors(imdb_dir, commons):
    output = run(imdb_dir, "--per-actor=6")
    assert output == [
        "IMDb selection: 3 actors chosen, 3 added, 0 updated.",
        "Commons photos: 19 photos added, 0 already known, 0 skipped.",
        "Suspects check: 1 flag opened.",
        "3 of 3 actors have at least 6 approved photos; 0 of their photos wait for review.",
    ]
    chosen = list(Actor.objects.order_by("-popularity").values_list("name", "imdb_id"))
    assert chosen == [
        ("Madonna", "nm0000101"),
        ("Elton John", "nm0000102"),
        ("Mindy Kaling", "nm0000103"),
    ]
    assert commons.calls == [["Madonna", "Elton John", "Mindy Kaling"]]
    assert ActorImage.objects.filter(origin="commons", status="active").count() == 19
    flag = Flag.objects.get()  # the photo of someone else filed under Madonna
    assert flag.image.source.endswith("/1.jpg") and flag.image.actor.name == "Madonna"
    assert flag.image.sha256 == commons.scans(commons.extra["Madonna"][0]).sha256
    build = CatalogueBuild.objects.get()
    assert build.steps_done == ["imdb", "commons", "suspects"] and build.finished_at


def test_with_review_the_photos_wait_and_no_actor_is_complete_yet(imdb_dir, commons):
    output = run(imdb_dir, "--per-actor=4", "--review")
    assert output[-1] == (
        "0 of 3 actors have at least 4 approved photos; 13 of their photos wait for review."
    )
    assert set(ActorImage.objects.values_list("status", flat=True)) == {"pending"}
    assert output[-2] == "Suspects check: 0 flags opened."  # pending photos are not judged


def test_a_second_build_asks_commons_only_for_actors_still_short_of_photos(imdb_dir, commons):
    run(imdb_dir, "--per-actor=4")
    ActorImage.objects.filter(actor__name="Elton John").first().delete()
    output = run(imdb_dir, "--per-actor=4")
    assert output[0] == "IMDb selection: 3 actors chosen, 0 added, 3 updated."
    assert commons.calls[-1] == ["Elton John"]
    assert output[1] == "Commons photos: 1 photo added, 3 already known, 0 skipped."
    assert Actor.objects.count() == 3 and CatalogueBuild.objects.count() == 2


def test_after_a_failure_the_same_command_resumes_after_the_steps_done(
    imdb_dir, commons, monkeypatch
):
    monkeypatch.setattr(catalogue, "COMMONS_BATCH", 1)
    commons.interrupt_at = "Elton John"
    with pytest.raises(CommandError, match="Interrupted: run the same command again to resume"):
        run(imdb_dir, "--per-actor=6")
    build = CatalogueBuild.objects.get()
    assert build.steps_done == ["imdb"] and build.commons_done == 1  # Madonna's batch is done

    for path in imdb_dir.iterdir():  # the IMDb step is not repeated: its files may be gone
        path.unlink()
    commons.interrupt_at = ""
    commons.calls.clear()
    output = run(imdb_dir, "--per-actor=6")
    assert output[:3] == [
        f"Resuming catalogue build {build.pk}, started {build.started_at:%Y-%m-%d %H:%M}.",
        "IMDb selection: done before.",
        "Commons photos: resuming after 1 actor.",
    ]
    assert commons.calls == [["Elton John"], ["Mindy Kaling"]]
    assert output[-1].startswith("3 of 3 actors have at least 6 approved photos")
    assert CatalogueBuild.objects.get().steps_done == ["imdb", "commons", "suspects"]


def test_without_the_commons_import_the_imdb_step_is_kept(imdb_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "actors.commons", None)  # not installed
    with pytest.raises(CommandError, match="needs actors.commons.*the same command resumes"):
        run(imdb_dir)
    assert CatalogueBuild.objects.get().steps_done == ["imdb"]
    assert Actor.objects.count() == 3


def test_missing_or_wrong_imdb_files_are_named(tmp_path, commons):
    with pytest.raises(CommandError, match="is not a directory"):
        run(tmp_path / "nowhere")
    folder = tmp_path / "partial"
    write_people_imdb(folder, gzipped=False)
    (folder / "title.ratings.tsv").unlink()
    with pytest.raises(CommandError, match=r"lacks title\.ratings\.tsv\(\.gz\)"):
        run(folder)
    (folder / "title.ratings.tsv").write_text("id\tname\n")
    with pytest.raises(CommandError, match=r"title\.ratings\.tsv, line 1: not an IMDb ratings"):
        run(folder)
    assert not Actor.objects.exists() and commons.calls == []
    assert all(build.steps_done == [] for build in CatalogueBuild.objects.all())


def test_bad_numbers_are_refused(imdb_dir):
    with pytest.raises(CommandError, match="--top and --per-actor must be at least 1"):
        run(imdb_dir, "--per-actor=0")
    assert not CatalogueBuild.objects.exists()
