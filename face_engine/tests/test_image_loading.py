"""Untrusted bytes: every bad file gets its typed error, every odd good file is read right."""

import io

import numpy as np
import pytest
from PIL import Image

from face_engine.errors import DamagedImage, ImageTooLarge, NotAnImage
from face_engine.faces import find_faces, warm_up
from face_engine.images import WORKING_SIZE, load_image
from testkit.photos import encode, png_bomb


@pytest.fixture(scope="module")
def portrait(faces_dir) -> bytes:
    return (faces_dir / "gallery" / "Barack_Obama" / "1.jpg").read_bytes()


def test_empty_file_is_not_an_image():
    with pytest.raises(NotAnImage, match="empty"):
        load_image(b"")


def test_text_file_named_jpg_is_not_an_image(tmp_path):
    path = tmp_path / "holiday.jpg"
    path.write_text("this is not a photo, just some text\n" * 20)
    with pytest.raises(NotAnImage) as caught:
        load_image(path.read_bytes())
    assert not isinstance(caught.value, DamagedImage)
    assert "not an image" in caught.value.message


def test_truncated_jpeg_is_damaged(portrait):
    warm_up()  # loading the face models must not make Pillow accept truncated files
    with pytest.raises(DamagedImage) as caught:
        load_image(portrait[: len(portrait) // 2])
    assert caught.value.code == "damaged_image"
    assert "damaged or incomplete" in caught.value.message


def test_20000_square_png_is_refused_before_decoding():
    bomb = png_bomb(20000, 20000)
    assert len(bomb) < 200_000  # the file is small; only its pixel count is huge
    with pytest.raises(ImageTooLarge) as caught:
        load_image(bomb)
    assert caught.value.code == "too_large"
    assert "64 megapixels" in caught.value.message


def test_pixel_cap_is_configurable(portrait):
    with pytest.raises(ImageTooLarge) as caught:
        load_image(portrait, max_pixels=10_000)
    assert "is 910×1137 pixels; the limit is 0.01 megapixels" in caught.value.message


def test_large_jpeg_decodes_straight_to_working_size(faces_dir):
    data = (faces_dir / "extras" / "very_large_4600px_clooney.jpg").read_bytes()
    image = load_image(data)
    assert image.original_size == (3061, 4600)
    assert max(image.working_size) == WORKING_SIZE
    assert image.pixels.dtype == np.uint8 and image.pixels.shape[2] == 3


def test_exif_orientation_is_applied(faces_dir):
    data = (faces_dir / "extras" / "exif_orientation6_scarlett_derived.jpg").read_bytes()
    stored = Image.open(io.BytesIO(data)).size
    image = load_image(data)
    assert image.original_size == (stored[1], stored[0])
    assert len(find_faces(data).faces) == 1


def _derived_modes(portrait: bytes) -> dict[str, bytes]:
    rgb = Image.open(io.BytesIO(portrait)).convert("RGB")
    grey16 = Image.fromarray(np.asarray(rgb.convert("L"), dtype="<u2") * 257)
    rgba = rgb.convert("RGBA")
    rgba.putalpha(255)
    return {
        "L": encode(rgb.convert("L"), "PNG"),
        "P": encode(rgb.convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
        "RGBA": encode(rgba, "PNG"),
        "CMYK": encode(rgb.convert("CMYK"), "JPEG", quality=92),
        "I;16": encode(grey16, "PNG"),
        "WEBP": encode(rgb, "WEBP", quality=90),
    }


def test_every_mode_reads_as_the_same_face(portrait):
    reference = find_faces(portrait).faces[0].encoding
    for mode, data in _derived_modes(portrait).items():
        faces = find_faces(data).faces
        assert len(faces) == 1, mode
        distance = float(np.linalg.norm(faces[0].encoding - reference))
        assert distance < 0.25, f"{mode}: {distance:.3f} from the RGB original"


def test_sixteen_bit_greyscale_keeps_its_contrast(portrait):
    data = _derived_modes(portrait)["I;16"]
    pixels = load_image(data).pixels
    assert 40 < pixels.mean() < 215 and pixels.std() > 20


def test_transparent_background_becomes_white(faces_dir):
    data = (faces_dir / "extras" / "alpha_png_transparent_bg_angelina_derived.png").read_bytes()
    pixels = load_image(data).pixels
    assert tuple(pixels[0, 0]) == (255, 255, 255)


def test_animated_png_reads_its_first_frame(portrait):
    rgb = Image.open(io.BytesIO(portrait)).convert("RGB")
    frames = [rgb, rgb.rotate(90)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert len(find_faces(data).faces) == 1


def test_boxes_are_in_original_coordinates(portrait):
    small = find_faces(portrait).faces[0].box
    original = Image.open(io.BytesIO(portrait)).convert("RGB")
    big = original.resize((original.width * 4, original.height * 4), Image.Resampling.BICUBIC)
    large_box = find_faces(encode(big, "JPEG", quality=92)).faces[0].box
    for small_side, large_side in zip(small, large_box, strict=True):
        assert abs(large_side - 4 * small_side) <= 0.12 * 4 * (small[2] - small[0])
