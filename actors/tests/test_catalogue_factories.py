"""The catalogue the test fixtures build from cached scans is the one a real import writes.

Most tests get their actors from `small_catalogue` (testkit/factories.py), which stores real
photos with their real embeddings without running dlib again; this test is what lets them stand
in for `gallery_import`.
"""

import hashlib

import numpy as np
import pytest
from django.core.files.storage import default_storage

from actors.models import Actor, ActorImage
from actors.services import gallery_import
from testkit.factories import catalogue_from_folder

pytestmark = pytest.mark.django_db

LAYOUT = {
    "Barack_Obama": ["gallery/Barack_Obama/1.jpg", "extras/alpha_png_32bit_obama.png"],
    "Katy_Perry": ["gallery/Katy_Perry/3.jpg"],
    "Scarlett_Johansson": ["extras/exif_orientation6_scarlett_derived.jpg"],
}


def catalogue() -> list[dict]:
    """Everything a test could read of the catalogue, ids aside."""

    def digest(name):
        with default_storage.open(name) as handle:
            return hashlib.sha256(handle.read()).hexdigest()

    rows = []
    for image in ActorImage.objects.select_related("actor", "embedding").order_by("id"):
        rows.append(
            {
                "actor": (image.actor.name, image.actor.slug),
                "file": (image.file.name, digest(image.file.name)),
                "thumbnail": (image.face_thumbnail.name, digest(image.face_thumbnail.name)),
                "photo": (image.sha256, image.width, image.height, image.face_box),
                "credit": (image.source, image.attribution, image.status),
                "embedding": (image.embedding.encoder, bytes(image.embedding.vector)),
            }
        )
    return rows


def test_factory_catalogue_equals_a_real_import(make_gallery, photo_scans, settings, tmp_path):
    root = make_gallery(LAYOUT)
    (root / "attribution.csv").write_text('folder,attribution\nKaty_Perry,"deepface, MIT"\n')
    assert gallery_import(root).added == 4
    imported = catalogue()

    Actor.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "factory-media"
    catalogue_from_folder(root, photo_scans)
    made = catalogue()

    assert len(made) == 4
    for real, factory_made in zip(imported, made, strict=True):
        assert factory_made == real
    vectors = [np.frombuffer(row["embedding"][1], "<f4") for row in made]
    assert all(v.shape == (128,) and np.isfinite(v).all() for v in vectors)
