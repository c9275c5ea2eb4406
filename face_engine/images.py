"""Safe decoding of untrusted photo bytes into an RGB array at working size."""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import FORMATS, AnimatedImage, DamagedImage, ImageTooLarge, NotAnImage
from .limits import DEFAULT_MAX_PIXELS, DRAFT_SLACK, WORKING_SIZE

try:
    # iPhone photos (HEIC/HEIF) open through Pillow once this plugin is registered.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - optional outside the web app
    register_heif_opener = None
else:
    register_heif_opener()


_EXIF_ORIENTATION = 0x0112
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_BACKGROUND = (255, 255, 255)


# Exactly the formats we document (HEIF holds iPhone HEIC photos); Pillow is never asked to try
# its other decoders (TIFF, BMP, ICO, TGA, GIF, EPS through Ghostscript, ...) on untrusted bytes.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Pillow opens a JPEG that carries further pictures after the photo (a stereo pair, a depth map)
# as MPO: a still photo, whose first picture is the one to use.
_STILL_MULTI_PICTURE = {"MPO"}
_DRAFT_FORMATS = {"JPEG", "MPO"}
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, struct.error, EOFError)


@dataclass(frozen=True)
class ImageHeader:
    """What an image's header says, read without decoding its pixels."""

    format: str
    size: tuple[int, int]  # (width, height) as stored
    frames: int
    orientation: int  # EXIF orientation as far as the header tells (0: none)
    decode_size: tuple[int, int]  # what a decode to the working size makes (after JPEG scaling)

    @property
    def display_size(self) -> tuple[int, int]:
        width, height = self.size
        return (height, width) if self.orientation in _SWAPPING_ORIENTATIONS else (width, height)

    @property
    def decode_pixels(self) -> int:
        """The pixels a decode costs: what a caller compares with its budget before decoding."""
        return self.decode_size[0] * self.decode_size[1]


@dataclass(frozen=True)
class LoadedImage:
    """A photo decoded to RGB at working size, with the size it has as displayed."""

    pixels: np.ndarray  # (height, width, 3) uint8
    original_size: tuple[int, int]  # (width, height) after EXIF orientation
    format: str | None

    @property
    def working_size(self) -> tuple[int, int]:
        height, width = self.pixels.shape[:2]
        return width, height

    @property
    def scale(self) -> float:
        """Factor from working-size coordinates to original coordinates."""
        return max(self.original_size) / max(self.working_size)


def read_header(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    working_size: int = WORKING_SIZE,
    allow_animation: bool = True,
    draft_slack: float = DRAFT_SLACK,
) -> ImageHeader:
    """Check untrusted bytes as far as the header goes (format, size, frames, orientation) and
    say what decoding them would cost; no pixel is decoded, so the cost is the same for any size.
    """
    image = _open(data, max_pixels=max_pixels, allow_animation=allow_animation)
    return _prepare(image, working_size, draft_slack)


def load_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    working_size: int = WORKING_SIZE,
    allow_animation: bool = True,
    draft_slack: float = DRAFT_SLACK,
) -> LoadedImage:
    """Decode untrusted bytes; animated images give their first frame unless refused."""
    image = _open(data, max_pixels=max_pixels, allow_animation=allow_animation)
    header = _prepare(image, working_size, draft_slack)
    try:
        if header.frames > 1:
            image.seek(0)
        image.load()
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except _DECODE_ERRORS as exc:
        raise DamagedImage() from exc

    # Read after decoding: a PNG may keep its EXIF after the pixels.
    orientation = _orientation(image)
    width, height = header.size
    original_size = (height, width) if orientation in _SWAPPING_ORIENTATIONS else (width, height)
    if orientation:
        try:
            image = ImageOps.exif_transpose(image)
        except (OSError, ValueError, TypeError, KeyError):
            original_size = (width, height)
    image = to_rgb(image)
    if max(image.size) > working_size:
        image.thumbnail((working_size, working_size), Image.Resampling.BILINEAR)
    return LoadedImage(pixels=np.asarray(image), original_size=original_size, format=header.format)


def _open(data: bytes, *, max_pixels: int, allow_animation: bool) -> Image.Image:
    """Open without decoding, refusing what the header already condemns."""
    if not data:
        raise NotAnImage("The file is empty.")
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error) as exc:
        raise NotAnImage() from exc

    width, height = image.size
    if width <= 0 or height <= 0:
        raise NotAnImage()
    if width * height > max_pixels:
        raise _too_large(max_pixels, f"{width}×{height} pixels")
    try:
        frames = getattr(image, "n_frames", 1)
    except _DECODE_ERRORS as exc:
        raise DamagedImage() from exc
    if frames > 1 and image.format not in _STILL_MULTI_PICTURE and not allow_animation:
        raise AnimatedImage()
    return image


def _prepare(image: Image.Image, working_size: int, draft_slack: float) -> ImageHeader:
    """The header of an opened image; a JPEG is set to decode straight to a reduced size."""
    size = image.size
    if image.format in _DRAFT_FORMATS:
        # DCT scaling; the box keeps the photo's own aspect ratio, or a 4:3 photo would only
        # be halved. The scale chosen may fall short of the working size by `draft_slack`.
        width, height = size
        ratio = min(1.0, working_size * draft_slack / max(width, height))
        image.draft(image.mode, (math.ceil(width * ratio), math.ceil(height * ratio)))
    # Pillow reads a PNG's EXIF by decoding the whole image, unless it came before the pixels.
    header_has_exif = image.format != "PNG" or "exif" in image.info
    return ImageHeader(
        format=image.format or "",
        size=size,
        frames=getattr(image, "n_frames", 1),
        orientation=_orientation(image) if header_has_exif else 0,
        decode_size=image.size,
    )


def to_jpeg(image: LoadedImage, quality: int = 88) -> bytes:
    """Re-encode the decoded pixels: a fresh JPEG carries no EXIF, so no GPS position. Not
    optimized: the copy is short-lived, and optimizing costs a third more time for 2 % less."""
    buffer = io.BytesIO()
    Image.fromarray(image.pixels).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _too_large(max_pixels: int, size: str = "") -> ImageTooLarge:
    has = f"is {size}" if size else "has more pixels than that"
    return ImageTooLarge(
        f"This image {has}; the limit is {max_pixels / 1_000_000:g} megapixels. "
        f"Please upload a smaller copy ({FORMATS})."
    )


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION) or 0)
    except (OSError, ValueError, TypeError, SyntaxError, struct.error):
        return 0


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB; transparency is laid on a white background."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode.startswith("I") or mode == "F":
        return _high_depth_to_rgb(image)
    if mode in _ALPHA_MODES or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _BACKGROUND)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _high_depth_to_rgb(image: Image.Image) -> Image.Image:
    # Pillow's own convert() clips 16-bit values at 255, which turns most photos white.
    values = np.asarray(image, dtype=np.float64)
    if image.mode == "F":
        top = values.max() if values.size and values.max() > 1.0 else 1.0
        scaled = values / top * 255.0
    elif image.mode.startswith("I;16") or values.max(initial=0) > 255:
        scaled = values / 257.0
    else:
        scaled = values
    grey = Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), "L")
    return grey.convert("RGB")
