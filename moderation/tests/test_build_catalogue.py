"""build_catalogue: IMDb selection, Commons photos (the Commons import itself, against a loopback
server answering as Wikidata and Commons do, serving photos of the shared gallery), suspects
check, a summary, and resuming after a failure or an interruption. Killing the process mid-run:
tests/test_build_catalogue_killed.py."""

import hashlib
import io
import signal
import threading

import pytest
from django.core.management import CommandError, call_command

from actors.models import Actor, ActorImage, SkippedPhoto
from moderation.models import CatalogueBuild, Flag
from testkit.catalogue_people import (
    IMDB_IDS,
    commons_name,
    people_on_commons,
    searched,
    wikimedia_settings,
    write_people_imdb,
)
from testkit.web import FakeWeb
from testkit.wikimedia import WIKIDATA_PATH, CommonsPhoto, FakeWikimedia

pytestmark = pytest.mark.django_db
MADONNA, ELTON, MINDY = (IMDB_IDS[name] for name in ("Madonna", "Elton John", "Mindy Kaling"))
MISFILED = "Jerry_Seinfeld/1.jpg"  # on Commons as Madonna's third image


@pytest.fixture
def imdb_dir(tmp_path):
    folder = tmp_path / "imdb"
    write_people_imdb(folder)
    return folder


@pytest.fixture
def web():
    server = FakeWeb()
    yield server
    server.close()


@pytest.fixture
def wikimedia(web, settings, faces_dir):
    """Wikidata and Commons on loopback, the importer's settings pointed at them. Madonna's
    third image on Commons is a photo of Jerry Seinfeld, for the suspects check to find; Mindy
    Kaling's third has a licence the site may not use."""
    fake = FakeWikimedia(web)
    for name, value in wikimedia_settings(fake).items():
        setattr(settings, name, value)
    gallery = faces_dir / "gallery"
    not_free = CommonsPhoto(
        photo=(gallery / "Mindy_Kaling/3.jpg").read_bytes(),
        licence="CC BY-NC 2.0",
        licence_url="https://creativecommons.org/licenses/by-nc/2.0",
    )
    people_on_commons(
        fake,
        gallery,
        {
            "Madonna": ["Madonna/1.jpg", "Madonna/2.jpg", MISFILED],
            "Elton John": ["Elton_John/1.jpg", "Elton_John/2.jpg", "Elton_John/3.jpg"],
            "Mindy Kaling": ["Mindy_Kaling/1.jpg", "Mindy_Kaling/2.jpg", not_free],
            "Jerry Seinfeld": ["Jerry_Seinfeld/2.jpg"],  # not chosen: never asked for
        },
    )
    return fake


def run(imdb_dir, *args) -> list[str]:
    out = io.StringIO()
    call_command("build_catalogue", f"--imdb-dir={imdb_dir}", "--top=3", *args, stdout=out)
    return out.getvalue().splitlines()


def commons_files(actor_name: str) -> list[str]:
    """The Commons files of an actor's stored photos, in name order."""
    photos = ActorImage.objects.filter(actor__name=actor_name, origin="commons")
    pages = photos.values_list("source_page", flat=True)
    return sorted(page.rsplit("File:", 1)[-1] for page in pages)


def test_the_steps_run_in_order_and_the_summary_counts_complete_actors(
    imdb_dir, wikimedia, faces_dir
):
    output = run(imdb_dir, "--per-actor=3")
    assert output == [
        "IMDb selection: 3 actors chosen, 3 added, 0 updated.",
        "Commons photos: 8 photos added, 0 already known, 1 skipped.",
        "Suspects check: 1 flag opened.",
        "2 of 3 actors have at least 3 approved photos; 0 of their photos wait for review.",
    ]
    chosen = list(Actor.objects.order_by("-popularity").values_list("name", "imdb_id"))
    assert chosen == [("Madonna", MADONNA), ("Elton John", ELTON), ("Mindy Kaling", MINDY)]
    assert searched(wikimedia) == [MADONNA, ELTON, MINDY]  # Jerry Seinfeld was not chosen
    photos = ActorImage.objects.filter(origin="commons", status="active")
    assert photos.count() == 8
    assert commons_files("Mindy Kaling") == ["Mindy_Kaling_1.jpg", "Mindy_Kaling_2.jpg"]
    assert SkippedPhoto.objects.get().reason.startswith("licence not accepted: CC BY-NC 2.0")
    credited = photos.get(source_page__endswith="File:Elton_John_2.jpg")
    assert (credited.licence, credited.attribution) == ("CC BY-SA 4.0", "Example Person (Own work)")
    flag = Flag.objects.get()  # the photo of someone else, filed under Madonna on Commons
    assert flag.image.actor.name == "Madonna"
    assert flag.image.source == wikimedia.thumb_url(commons_name("Madonna", 3))
    misfiled = (faces_dir / "gallery" / MISFILED).read_bytes()
    assert flag.image.sha256 == hashlib.sha256(misfiled).hexdigest()
    build = CatalogueBuild.objects.get()
    assert build.steps_done == ["imdb", "commons", "suspects"] and build.finished_at


def test_with_review_the_photos_wait_and_no_actor_is_complete_yet(imdb_dir, wikimedia):
    output = run(imdb_dir, "--per-actor=3", "--review")
    assert output[-1] == (
        "0 of 3 actors have at least 3 approved photos; 8 of their photos wait for review."
    )
    assert set(ActorImage.objects.values_list("status", flat=True)) == {"pending"}
    # The misfiled photo is among them, but pending photos are not judged.
    assert output[-2] == "Suspects check: 0 flags opened."


def test_a_second_build_asks_commons_only_for_actors_still_short_of_photos(
    imdb_dir, wikimedia, web
):
    run(imdb_dir, "--per-actor=2")
    ActorImage.objects.get(source_page__endswith="File:Elton_John_1.jpg").delete()
    asked_before = len(web.requests)
    output = run(imdb_dir, "--per-actor=2")
    assert output[0] == "IMDb selection: 3 actors chosen, 0 added, 3 updated."
    assert searched(wikimedia, since=asked_before) == [ELTON]
    assert output[1] == "Commons photos: 1 photo added, 0 already known, 0 skipped."
    assert commons_files("Elton John") == ["Elton_John_1.jpg", "Elton_John_2.jpg"]
    assert Actor.objects.count() == 3 and CatalogueBuild.objects.count() == 2


def test_photos_an_actor_already_has_count_towards_the_share(imdb_dir, wikimedia, make_catalogue):
    make_catalogue({"Elton_John": ["gallery/Elton_John/5.jpg"]})  # imported from a folder
    del wikimedia.items[MINDY]  # and Wikidata has no item for Mindy Kaling
    output = run(imdb_dir, "--per-actor=2")
    assert output[1:3] == [
        f"Commons photos: Mindy Kaling ({MINDY}): no Wikidata item with IMDb id {MINDY}.",
        "Commons photos: 3 photos added, 0 already known, 0 skipped.",
    ]
    folder_photo = ActorImage.objects.get(actor__name="Elton John", origin="folder")
    assert folder_photo.actor.imdb_id == ELTON  # the IMDb step found him by name
    assert commons_files("Elton John") == ["Elton_John_1.jpg"]  # one more makes two
    assert output[-1].startswith("2 of 3 actors have at least 2 approved photos")


def test_after_an_interruption_the_same_command_resumes_after_the_actors_done(
    imdb_dir, wikimedia, web
):
    main_thread = threading.main_thread().ident

    def press_ctrl_c(imdb_id):  # while the import waits for Wikidata's answer about Elton John
        if imdb_id == ELTON:
            signal.pthread_kill(main_thread, signal.SIGINT)

    wikimedia.on_search = press_ctrl_c
    with pytest.raises(CommandError, match="Interrupted: run the same command again to resume"):
        run(imdb_dir, "--per-actor=2")
    build = CatalogueBuild.objects.get()
    assert build.steps_done == ["imdb"] and build.commons_done == 1  # Madonna is done
    assert commons_files("Madonna") == ["Madonna_1.jpg", "Madonna_2.jpg"]
    assert not ActorImage.objects.filter(actor__name="Elton John").exists()

    for path in imdb_dir.iterdir():  # the IMDb step is not repeated: its files may be gone
        path.unlink()
    wikimedia.on_search = None
    asked_before = len(web.requests)
    output = run(imdb_dir, "--per-actor=2")
    assert output[:3] == [
        f"Resuming catalogue build {build.pk}, started {build.started_at:%Y-%m-%d %H:%M}.",
        "IMDb selection: done before.",
        "Commons photos: resuming after 1 actor.",
    ]
    assert searched(wikimedia, since=asked_before) == [ELTON, MINDY]
    assert output[-1].startswith("3 of 3 actors have at least 2 approved photos")
    assert CatalogueBuild.objects.get().steps_done == ["imdb", "commons", "suspects"]


def test_when_wikimedia_does_not_answer_the_build_stops_and_resumes_later(
    imdb_dir, wikimedia, settings
):
    stopped = FakeWeb()  # a server that has gone away: nothing listens at its address
    settings.LOOKALIKE_WIKIDATA_API = stopped.url(WIKIDATA_PATH)
    stopped.close()
    with pytest.raises(CommandError) as failure:
        run(imdb_dir, "--per-actor=2")
    assert str(failure.value) == (
        f"Commons photos stopped at Madonna ({MADONNA}): Wikimedia did not answer: could not "
        "connect. The steps done so far are kept: the same command resumes after them."
    )
    build = CatalogueBuild.objects.get()
    assert build.steps_done == ["imdb"] and build.commons_done == 0
    assert Actor.objects.count() == 3 and not ActorImage.objects.exists()

    settings.LOOKALIKE_WIKIDATA_API = wikimedia.wikidata_api  # Wikimedia is back
    output = run(imdb_dir, "--per-actor=2")
    assert output[:2] == [
        f"Resuming catalogue build {build.pk}, started {build.started_at:%Y-%m-%d %H:%M}.",
        "IMDb selection: done before.",
    ]
    assert searched(wikimedia) == [MADONNA, ELTON, MINDY]
    assert output[-1].startswith("3 of 3 actors have at least 2 approved photos")


def test_missing_or_wrong_imdb_files_are_named(tmp_path, wikimedia, web):
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
    assert not Actor.objects.exists() and web.requests == []  # Wikimedia was not asked
    assert all(build.steps_done == [] for build in CatalogueBuild.objects.all())


def test_bad_numbers_are_refused(imdb_dir):
    with pytest.raises(CommandError, match="--top and --per-actor must be at least 1"):
        run(imdb_dir, "--per-actor=0")
    assert not CatalogueBuild.objects.exists()
