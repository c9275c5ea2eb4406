"""What the header tells before any decoding: the accepted formats, and what a decode would cost."""

import io

import pytest
from PIL import Image

from face_engine.errors import AnimatedImage, DamagedImage, ImageTooLarge, NotAnImage
from face_engine.images import ACCEPTED_FORMATS, load_image, read_header
from testkit.photos import (
    REFUSED_FORMATS,
    animated_png,
    encode,
    heic,
    in_format,
    one_colour_png,
    png_bomb,
)

STORED_SIZE = 2000


@pytest.fixture(scope="module")
def portrait(faces_dir) -> bytes:
    return (faces_dir / "gallery" / "Barack_Obama" / "1.jpg").read_bytes()


@pytest.mark.parametrize("fmt", sorted(REFUSED_FORMATS))
def test_formats_we_do_not_document_are_refused_before_any_decoder_runs(portrait, fmt):
    data = in_format(portrait, fmt)
    assert Image.open(io.BytesIO(data)).format == fmt  # Pillow itself would read it
    for read in (read_header, load_image):
        with pytest.raises(NotAnImage) as caught:
            read(data)
        assert type(caught.value) is NotAnImage
        assert caught.value.message == (
            "This file is not an image we can read. Please upload a JPEG, PNG, WebP or HEIC photo."
        )


def test_the_documented_formats_are_read(portrait, faces_dir):
    rgb = Image.open(io.BytesIO(portrait)).convert("RGB")
    files = {
        "JPEG": portrait,
        "PNG": (faces_dir / "extras" / "alpha_png_32bit_obama.png").read_bytes(),
        "WEBP": (faces_dir / "extras" / "webp_bytes_named_jpg_scarlett.jpg").read_bytes(),
        "HEIF": heic(portrait),
    }
    assert set(files) == set(ACCEPTED_FORMATS)
    for fmt, data in files.items():
        header = read_header(data)
        assert header.format == fmt and header.frames == 1
        assert load_image(data).format == fmt
    assert read_header(files["HEIF"]).size == rgb.size


def test_a_62_megapixel_png_is_read_from_its_header_and_would_cost_a_full_decode():
    data = one_colour_png(7900, 7900)
    assert len(data) < 300_000
    header = read_header(data, working_size=STORED_SIZE, allow_animation=False)
    assert header.size == (7900, 7900) and header.format == "PNG"
    assert header.decode_pixels == 7900 * 7900  # PNG has no reduced decode


def test_a_jpeg_costs_only_its_reduced_decode(faces_dir):
    data = (faces_dir / "extras" / "very_large_4600px_clooney.jpg").read_bytes()
    header = read_header(data, working_size=STORED_SIZE)
    assert header.size == (3061, 4600)
    # DCT scaling by 2 is the most that still leaves 2000 px on the long side.
    assert header.decode_size == (1531, 2300)
    assert header.decode_pixels < 3061 * 4600 / 3


def test_header_refuses_what_decoding_would(portrait):
    with pytest.raises(ImageTooLarge, match="64 megapixels"):
        read_header(png_bomb())
    with pytest.raises(AnimatedImage):
        read_header(animated_png(portrait), allow_animation=False)
    with pytest.raises(NotAnImage, match="empty"):
        read_header(b"")


def test_damage_past_the_header_shows_only_when_decoding():
    truncated = one_colour_png(1200, 900)
    truncated = truncated[: len(truncated) // 2]
    assert read_header(truncated).size == (1200, 900)
    with pytest.raises(DamagedImage):
        load_image(truncated)


def test_header_tells_the_displayed_size_from_exif_orientation(faces_dir):
    data = (faces_dir / "extras" / "exif_orientation6_scarlett_derived.jpg").read_bytes()
    header = read_header(data)
    width, height = header.size
    assert header.orientation == 6 and header.display_size == (height, width)
    assert load_image(data).original_size == header.display_size


def test_a_multi_picture_jpeg_is_a_still_photo(portrait):
    rgb = Image.open(io.BytesIO(portrait)).convert("RGB")
    data = encode(rgb, "MPO", save_all=True, append_images=[rgb.rotate(5)])
    header = read_header(data, allow_animation=False)
    assert header.frames == 2
    assert load_image(data, allow_animation=False).original_size == rgb.size
