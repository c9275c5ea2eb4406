"""harvest_video on a short film built from the shared photos (actors/tests/conftest.py), whose
shots say who is seen when: the faces kept must be the chosen actor's and nobody else's."""

import io
import json
import shutil

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from actors.models import Actor, ActorImage, SkippedPhoto
from actors.selectors import active_embeddings
from face_engine.video import sample_times
from matching.models import Match
from matching.services import index_build
from testkit.videos import sound_only

from .conftest import OTHER, STAR, THIRD

pytestmark = pytest.mark.django_db

STAR_NAME = "Scarlett Johansson"


def harvest(film_path, *args) -> list[dict]:
    out = io.StringIO()
    call_command("harvest_video", str(film_path), *args, "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def nearest_person(vector, film, faces_dir, photo_scans) -> str:
    """Whose photo, among all the photos shown in the film, a face is nearest to."""
    photos = [(person, p) for s in film.shots for person, p in zip(s.people, s.photos, strict=True)]
    scans = photo_scans.many([faces_dir / p for _, p in photos])
    distances = [np.linalg.norm(scan.encoding - vector) for scan in scans]
    return photos[int(np.argmin(distances))][0]


def assert_only_the_stars_faces(film, images, faces_dir, photo_scans):
    """Each of the star's four shots gave one face (its later frames repeat it), each taken in
    that shot, showing the star; and nothing came from anyone else's shots."""
    for image in images:
        assert film.people_at(image.film_seconds) in {(STAR,), (STAR, OTHER)}, image.film_seconds
    shots = film.shots_of(STAR)
    taken_in = sorted(
        next(i for i, (start, end) in enumerate(shots) if start <= image.film_seconds < end)
        for image in images
    )
    assert taken_in == [0, 1, 2, 3]
    for image in images:
        assert nearest_person(image.embedding.array, film, faces_dir, photo_scans) == STAR
        assert image.status == ActorImage.Status.PENDING and image.origin == "film"


def test_with_approved_photos_only_faces_near_them_are_kept_and_wait_for_review(
    film_clip, make_catalogue, faces_dir, photo_scans
):
    make_catalogue(
        {
            "Scarlett_Johansson": ["gallery/Scarlett_Johansson/1.jpg"],
            "Matt_Damon": ["gallery/Matt_Damon/1.jpg"],
            "Jack_Dorsey": ["gallery/Jack_Dorsey/2.jpg"],
        }
    )
    lines = harvest(film_clip.path, "--actor", STAR_NAME, "--title", "Test Film", "--year", "2003")

    *kept, summary = lines
    images = list(ActorImage.objects.filter(origin="film").order_by("film_seconds"))
    assert_only_the_stars_faces(film_clip, images, faces_dir, photo_scans)
    assert {image.actor.name for image in images} == {STAR_NAME}
    assert {(i.film_title, i.film_year, i.attribution) for i in images} == {
        ("Test Film", 2003, "Still from Test Film (2003)")
    }
    assert [line["image"] for line in kept] == [image.pk for image in images]
    assert [line["time"] for line in kept] == [image.film_seconds for image in images]
    assert all(line["actor"] == STAR_NAME and 0 <= line["distance"] <= 0.5 for line in kept)

    # The defaults for a 12.5 s clip: the first and last 5 % left out, a frame every 0.5 s.
    times = sample_times(film_clip.duration)
    assert times[0] == 0.625 and times[-1] == 11.625 and len(times) == 23
    faces_seen = sum(len(film_clip.people_at(t)) for t in times)
    assert summary == {
        "frames_read": 23,
        "faces_found": faces_seen,
        "faces_kept": 4,
        "added": 4,
        "already_stored": 0,
        "skipped": 0,
        "method": "reference",
    }
    # Pending photos are not matched against: the index is built from the approved one only.
    indexed = set(active_embeddings()[1].tolist())
    assert not indexed & {image.pk for image in images}


def test_a_second_run_adds_nothing_and_names_the_faces_stored_before(film_clip, make_catalogue):
    make_catalogue({"Scarlett_Johansson": ["gallery/Scarlett_Johansson/1.jpg"]})
    first = harvest(film_clip.path, "--actor", STAR_NAME)
    second = harvest(film_clip.path, "--actor", STAR_NAME)
    assert [line["image"] for line in second[:-1]] == [line["image"] for line in first[:-1]]
    assert second[-1]["added"] == 0 and second[-1]["already_stored"] == first[-1]["added"] == 4
    assert ActorImage.objects.filter(origin="film").count() == 4


def test_an_actor_without_photos_gets_the_person_seen_most_and_the_page_names_the_film(
    film_clip, make_catalogue, faces_dir, photo_scans, upload, client
):
    make_catalogue({"Matt_Damon": ["gallery/Matt_Damon/1.jpg"]})
    Actor.objects.create(
        name=STAR_NAME, slug="scarlett-johansson", imdb_id="nm0424060", birth_year=1984
    )
    lines = harvest(
        film_clip.path, "--actor", "nm0424060", "--title", "Lost in Translation", "--year", "2003"
    )

    assert lines[-1]["method"] == "cluster" and lines[-1]["faces_kept"] == 4
    images = list(ActorImage.objects.filter(origin="film").order_by("film_seconds"))
    assert_only_the_stars_faces(film_clip, images, faces_dir, photo_scans)

    # A curator approves them; a visitor who looks like her is told where she was seen.
    ActorImage.objects.filter(origin="film").update(status=ActorImage.Status.ACTIVE)
    index_build()
    upload("gallery/Scarlett_Johansson/1.jpg")
    page = client.get(f"/r/{Match.objects.get().token}/").content.decode()
    assert "You look like Scarlett Johansson in Lost in Translation (2003), aged 19" in page


def test_random_frames_with_a_seed_and_at_most_one_face(film_clip, make_catalogue):
    make_catalogue({"Scarlett_Johansson": ["gallery/Scarlett_Johansson/1.jpg"]})
    args = ("--actor", STAR_NAME, "--frames", "10", "--seed", "5", "--max-faces", "1")
    *kept, summary = harvest(film_clip.path, *args)
    assert summary["frames_read"] == 10 and summary["faces_kept"] == len(kept) == 1
    assert STAR in film_clip.people_at(kept[0]["time"])


def test_nobody_is_taken_when_no_one_stands_out(tmp_path, faces_dir, photo_scans, db):
    """Two people, each in three shots, and an actor without photos: which one is the actor
    cannot be told, so nothing is stored."""
    from testkit.videos import Shot, film_make

    from .conftest import photo

    shots = [Shot(1.0, (who,), (photo(who, n),)) for n in (2, 3, 4) for who in (OTHER, THIRD)]
    film = film_make(tmp_path / "two.mp4", shots, faces_dir, photo_scans)
    Actor.objects.create(name="Nobody Yet", slug="nobody-yet")
    out = io.StringIO()
    call_command("harvest_video", str(film.path), "--actor", "Nobody Yet", stdout=out)
    assert "Nothing kept: two people are seen equally often" in out.getvalue()
    assert not ActorImage.objects.exists()


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda d, f: (d / "notes.mp4").write_text("not a film\n"), "is not a video we can read"),
        (
            lambda d, f: shutil.copy(f / "gallery/Matt_Damon/1.jpg", d / "still.mp4"),
            "is a still image, not a video",
        ),
        (lambda d, f: sound_only(d / "sound.mp4"), "sound.mp4 has no video in it"),
    ],
    ids=["text", "photo", "sound"],
)
def test_a_file_that_is_not_a_video_is_refused_and_nothing_is_stored(
    tmp_path, faces_dir, make_catalogue, make_file, message
):
    make_catalogue({"Scarlett_Johansson": ["gallery/Scarlett_Johansson/1.jpg"]})
    make_file(tmp_path, faces_dir)
    path = next(tmp_path.glob("*.mp4"))
    with pytest.raises(CommandError, match=message):
        call_command("harvest_video", str(path), "--actor", STAR_NAME)
    assert not ActorImage.objects.filter(origin="film").exists()
    assert not SkippedPhoto.objects.exists()


def test_a_film_cut_short_is_refused(tmp_path, film_clip, make_catalogue):
    make_catalogue({"Scarlett_Johansson": ["gallery/Scarlett_Johansson/1.jpg"]})
    data = film_clip.path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="cut.mp4 is not a video we can read"):
        call_command("harvest_video", str(cut), "--actor", STAR_NAME)


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        ("Nobody Known", 'No actor named "Nobody Known" in the catalogue'),
        ("nm9999999", "No actor with IMDb id nm9999999 in the catalogue"),
        ("Twin Name", 'Several actors are named "Twin Name": nm0000001, nm0000002'),
    ],
)
def test_an_unknown_or_ambiguous_actor_is_refused(film_clip, actor, message):
    Actor.objects.create(name="Twin Name", slug="twin-1", imdb_id="nm0000001")
    Actor.objects.create(name="Twin Name", slug="twin-2", imdb_id="nm0000002")
    with pytest.raises(CommandError, match=message):
        call_command("harvest_video", str(film_clip.path), "--actor", actor)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--skip-seconds", "20"), "Skipping 20 s leaves nothing of a 12.5 s video"),
        (("--every-seconds", "0"), "must be more than 0 seconds"),
        (("--year", "1200"), "--year 1200 is not a film's year"),
    ],
)
def test_options_that_leave_nothing_to_read_are_refused(film_clip, make_catalogue, args, message):
    make_catalogue({"Scarlett_Johansson": ["gallery/Scarlett_Johansson/1.jpg"]})
    with pytest.raises(CommandError, match=message):
        call_command("harvest_video", str(film_clip.path), "--actor", STAR_NAME, *args)
