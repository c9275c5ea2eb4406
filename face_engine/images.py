"""Safe decoding of untrusted photo bytes into an RGB array at working size."""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import AnimatedImage, DamagedImage, ImageTooLarge, NotAnImage
from .limits import DEFAULT_MAX_PIXELS, WORKING_SIZE

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


def load_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    working_size: int = WORKING_SIZE,
    allow_animation: bool = True,
) -> LoadedImage:
    """Decode untrusted bytes; animated images give their first frame unless refused."""
    if not data:
        raise NotAnImage("The file is empty.")
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error) as exc:
        raise NotAnImage() from exc

    source_format = image.format
    width, height = image.size
    if width <= 0 or height <= 0:
        raise NotAnImage()
    if width * height > max_pixels:
        raise _too_large(max_pixels, f"{width}×{height} pixels")

    orientation = _orientation(image)
    original_size = (height, width) if orientation in _SWAPPING_ORIENTATIONS else (width, height)
    try:
        if getattr(image, "n_frames", 1) > 1:
            if not allow_animation:
                raise AnimatedImage()
            image.seek(0)
        if source_format == "JPEG":
            # Decode straight to a reduced size (DCT scaling); the box keeps the photo's own
            # aspect ratio, or a 4:3 photo would only be halved.
            ratio = min(1.0, working_size / max(width, height))
            image.draft(image.mode, (math.ceil(width * ratio), math.ceil(height * ratio)))
        image.load()
    except Image.DecompressionBombError as exc:
        raise _too_large(max_pixels) from exc
    except (OSError, ValueError, SyntaxError, struct.error, EOFError) as exc:
        raise DamagedImage() from exc

    if orientation:
        try:
            image = ImageOps.exif_transpose(image)
        except (OSError, ValueError, TypeError, KeyError):
            original_size = (width, height)
    image = to_rgb(image)
    if max(image.size) > working_size:
        image.thumbnail((working_size, working_size), Image.Resampling.BILINEAR)
    return LoadedImage(pixels=np.asarray(image), original_size=original_size, format=source_format)


def to_jpeg(image: LoadedImage, quality: int = 88) -> bytes:
    """Re-encode the decoded pixels: a fresh JPEG carries no EXIF, so no GPS position."""
    buffer = io.BytesIO()
    Image.fromarray(image.pixels).save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def _too_large(max_pixels: int, size: str = "") -> ImageTooLarge:
    has = f"is {size}" if size else "has more pixels than that"
    return ImageTooLarge(
        f"This image {has}; the limit is {max_pixels / 1_000_000:g} megapixels. "
        "Please upload a smaller copy."
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
