"""Square face crops for results pages, share images and curators' thumbnails."""

from __future__ import annotations

import io

from PIL import Image

from .faces import Box
from .images import LoadedImage

CROP_SIZE = 320
# Room around dlib's tight box, as a share of the box's side: forehead, chin and a little hair.
MARGIN = 0.45


def crop_box(
    box: Box, width: int, height: int, margin: float = MARGIN
) -> tuple[int, int, int, int]:
    """A square (left, upper, right, lower) around a face box, kept inside the photo."""
    top, right, bottom, left = box
    side = max(right - left, bottom - top) * (1 + 2 * margin)
    side = min(side, width, height)
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    x0 = min(max(0, centre_x - side / 2), width - side)
    y0 = min(max(0, centre_y - side / 2), height - side)
    return round(x0), round(y0), round(x0 + side), round(y0 + side)


def face_crop(picture: Image.Image, box: Box, size: int = CROP_SIZE) -> Image.Image:
    """A square crop around a face whose box is given in this picture's coordinates."""
    region = crop_box(box, picture.width, picture.height)
    return picture.crop(region).resize((size, size), Image.Resampling.LANCZOS)


def loaded_face_crop(image: LoadedImage, box: Box, size: int = CROP_SIZE) -> Image.Image:
    """Crop a face given in original coordinates from the decoded working-size pixels."""
    return face_crop(Image.fromarray(image.pixels), _working_box(image, box), size)


def holds_crop(image: LoadedImage, box: Box, size: int = CROP_SIZE) -> bool:
    """Whether the working-size pixels hold a crop of `size` around the face (given in original
    coordinates) without enlarging it: then the bigger original need not be decoded for it."""
    left, _, right, _ = crop_box(_working_box(image, box), *image.working_size)
    return right - left >= size


def _working_box(image: LoadedImage, box: Box) -> Box:
    return tuple(round(v / image.scale) for v in box)


def jpeg_bytes(picture: Image.Image, quality: int = 88) -> bytes:
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
