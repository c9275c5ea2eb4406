"""`import_gallery DIR`: what a curator sees when loading a folder of actor photos."""

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from actors.models import Actor, ActorImage, FaceEmbedding, SkippedPhoto
from face_engine.faces import ENCODER


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def run_import(*args) -> str:
    out = io.StringIO()
    call_command("import_gallery", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def gallery(make_gallery, tmp_path):
    root = make_gallery(
        {
            "Barack_Obama": [f"gallery/Barack_Obama/{n}.jpg" for n in (1, 2, 3)],
            "Jerry_Seinfeld": ["gallery/Jerry_Seinfeld/1.jpg", "extras/group_two_people.jpg"],
            "Matt_Damon": ["gallery/Matt_Damon/1.jpg", "extras/no_face_dogs.jpg"],
        }
    )
    (root / "Matt_Damon" / "notes.jpg").write_text("not a photo at all")
    (root / "attribution.csv").write_text('folder,attribution\nBarack_Obama,"White House, MIT"\n')
    return root


@pytest.mark.django_db
def test_import_adds_one_actor_per_folder_and_reports_skips(gallery):
    output = run_import(str(gallery), "--attribution", "demo set")

    assert set(Actor.objects.values_list("name", flat=True)) == {
        "Barack Obama",
        "Jerry Seinfeld",
        "Matt Damon",
    }
    assert ActorImage.objects.count() == 5
    assert "5 photos added (3 actors), 3 skipped, 0 already known, of 8 files." in output
    assert (
        "2-group_two_people.jpg: 2 faces found; a reference photo must show exactly one" in output
    )
    assert "2-no_face_dogs.jpg: no face found" in output
    assert "notes.jpg: This file is not an image we can read." in output
    reasons = dict(SkippedPhoto.objects.values_list("source", "reason"))
    assert len(reasons) == 3 and any("2 faces" in r for r in reasons.values())
    assert SkippedPhoto.objects.get(reason="no face found").actor_name == "Matt Damon"


@pytest.mark.django_db
def test_imported_photo_has_file_face_box_embedding_and_credit(gallery):
    run_import(str(gallery), "--attribution", "demo set")
    image = ActorImage.objects.get(actor__name="Barack Obama", source__endswith="1-1.jpg")
    assert image.status == ActorImage.Status.ACTIVE
    assert image.file.name == f"actors/{image.sha256[:2]}/{image.sha256}.jpg"
    assert default_storage.exists(image.file.name)
    assert (image.width, image.height) == (910, 1137)
    top, right, bottom, left = image.face_box
    assert 0 <= left < right <= image.width and 0 <= top < bottom <= image.height
    assert image.attribution == "White House, MIT"
    assert ActorImage.objects.get(actor__name="Matt Damon").attribution == "demo set"
    embedding = FaceEmbedding.objects.get(image=image)
    assert embedding.encoder == ENCODER
    assert embedding.array.shape == (128,) and np.isfinite(embedding.array).all()
    assert Actor.objects.get(name="Barack Obama").slug == "barack-obama"
    with default_storage.open(image.face_thumbnail.name) as handle:
        thumbnail = Image.open(handle)
        assert thumbnail.size == (320, 320)


@pytest.mark.django_db
def test_second_run_adds_nothing(gallery, settings):
    run_import(str(gallery))
    counts = (Actor.objects.count(), ActorImage.objects.count(), SkippedPhoto.objects.count())
    files = stored_files(settings.MEDIA_ROOT)

    output = run_import(str(gallery))

    assert "0 photos added (0 actors), 0 skipped, 8 already known, of 8 files." in output
    assert (Actor.objects.count(), ActorImage.objects.count(), SkippedPhoto.objects.count()) == (
        counts
    )
    assert stored_files(settings.MEDIA_ROOT) == files and len(files) == 10  # photos, face crops


@pytest.mark.django_db
def test_the_same_photo_under_another_name_is_stored_once(gallery, make_gallery):
    run_import(str(gallery))
    copy = make_gallery({"Barry_Soetoro": ["gallery/Barack_Obama/1.jpg"]}, name="second")
    output = run_import(str(copy))
    assert "0 photos added (0 actors), 0 skipped, 1 already known" in output
    assert not Actor.objects.filter(name="Barry Soetoro").exists()


@pytest.mark.django_db
def test_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        run_import(str(tmp_path / "nowhere"))


@pytest.mark.django_db
def test_a_failed_database_write_leaves_no_file_behind(faces_dir, settings):
    from django.db import DataError, connection

    from actors.services import photo_import

    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce column lengths")
    with pytest.raises(DataError):
        photo_import(
            actor_name="x" * 300,
            data=(faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes(),
            source="test",
        )
    assert stored_files(settings.MEDIA_ROOT) == []
    assert not ActorImage.objects.exists() and not Actor.objects.exists()


@pytest.mark.django_db
def test_catalogue_takes_jpeg_png_and_webp_and_skips_other_formats(make_gallery, faces_dir):
    from testkit.photos import in_format

    root = make_gallery(
        {
            "Barack_Obama": ["gallery/Barack_Obama/1.jpg", "extras/alpha_png_32bit_obama.png"],
            "Scarlett_Johansson": ["extras/webp_bytes_named_jpg_scarlett.jpg"],
        }
    )
    tiff = in_format((faces_dir / "gallery" / "Barack_Obama" / "2.jpg").read_bytes(), "TIFF")
    (root / "Barack_Obama" / "3-scan.tif").write_bytes(tiff)
    output = run_import(str(root))
    assert "3 photos added (2 actors), 1 skipped" in output
    assert "3-scan.tif: This file is not an image we can read. Please upload a JPEG, PNG" in output
    extensions = sorted(
        Path(name).suffix for name in ActorImage.objects.values_list("file", flat=True)
    )
    assert extensions == [".jpg", ".png", ".webp"]
