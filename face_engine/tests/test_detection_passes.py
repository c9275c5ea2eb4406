"""A phone portrait is found in one quick pass; small faces still get the pass at double size."""

import numpy as np
import pytest
from PIL import Image

from face_engine import faces
from face_engine.faces import find_faces
from face_engine.images import load_image
from testkit.photos import phone_photo


@pytest.fixture(scope="module")
def phone_portrait(faces_dir) -> bytes:
    return phone_photo((faces_dir / "gallery" / "Matt_Damon" / "1.jpg").read_bytes())


def test_a_phone_photo_decodes_at_a_quarter_of_its_size(phone_portrait):
    image = load_image(phone_portrait)
    assert image.original_size == (3024, 4032)
    assert image.working_size == (756, 1008)  # JPEG scaling by 1/4, no further resize


def test_a_phone_portrait_gives_the_face_a_double_size_search_gives(phone_portrait):
    image = load_image(phone_portrait)
    quick = faces.detect_boxes(image)
    thorough = faces.detect_boxes(image, upsample=1)
    assert len(quick) == len(thorough) == 1
    assert not faces.needs_double_size(quick)  # a close face: the first pass was enough
    quick_encoding, thorough_encoding = faces.encode_boxes(image, quick + thorough)
    # Boxes from neighbouring scales place the landmarks alike: the same person by far.
    assert np.linalg.norm(quick_encoding - thorough_encoding) < 0.1


@pytest.mark.parametrize(
    ("photo", "count"),
    [("group_bald_guys_dlib.jpg", 24), ("group_obama_and_biden.jpg", 3)],
)
def test_small_faces_are_found_by_the_second_pass(faces_dir, photo, count):
    data = (faces_dir / "extras" / photo).read_bytes()
    image = load_image(data)
    luminance = Image.fromarray(image.pixels).convert("L")
    assert faces.needs_double_size(faces.first_pass(luminance))
    assert len(find_faces(data).faces) == count
