"""Find and encode every face in a photo with dlib's HOG detector and 128-d ResNet encoder."""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile

from .errors import NoFaceFound
from .images import LoadedImage, load_image
from .limits import DEFAULT_MAX_PIXELS, WORKING_SIZE

ENCODER = "dlib_face_recognition_resnet_model_v1"

Box = tuple[int, int, int, int]  # (top, right, bottom, left), as face_recognition orders them


@functools.cache
def _face_recognition():
    # Importing face_recognition loads every dlib model (about 150 MB, over a second), so only
    # processes that actually look at faces pay for it, and each pays once.
    truncated_setting = ImageFile.LOAD_TRUNCATED_IMAGES
    with warnings.catch_warnings():
        # face_recognition_models finds its files through the deprecated pkg_resources.
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        import face_recognition
    # face_recognition switches on Pillow's process-wide "load truncated images", which would
    # let a damaged upload through as a half-grey picture.
    ImageFile.LOAD_TRUNCATED_IMAGES = truncated_setting
    return face_recognition


def warm_up() -> None:
    """Load the models now rather than on the first photo."""
    _face_recognition()


@dataclass(frozen=True)
class Face:
    box: Box  # in the original photo's coordinates, as displayed (after EXIF orientation)
    encoding: np.ndarray  # float32, shape (128,)

    @property
    def area(self) -> int:
        top, right, bottom, left = self.box
        return (bottom - top) * (right - left)


@dataclass(frozen=True)
class FaceScan:
    image: LoadedImage
    faces: list[Face]  # biggest first, at most the max_faces asked for
    faces_found: int  # before that cap


def is_small(image: LoadedImage) -> bool:
    return max(image.working_size) < WORKING_SIZE // 2


# HOG's window is 80 px: a pass at working size finds faces from about that size up, a pass at
# double size from about 40 px, at four times the cost.
HOG_SMALLEST_FACE = 80
# The first pass runs on a copy reduced to this share of the working size, at about half the
# cost of a pass at working size; it still finds faces from about 90 working-size px up.
FIRST_PASS_SCALE = 0.75
# Faces found by the first pass at least this big (working-size pixels, about twice the
# smallest it sees) make a portrait or a close group, and the pass at double size is skipped.
# See docs/benchmarks.md, "Detection in two passes", for the faces this keeps and the time it
# saves.
CLOSE_FACE = 2 * HOG_SMALLEST_FACE


def detect_boxes(
    image: LoadedImage, upsample: int | None = None, close_face: int = CLOSE_FACE
) -> list[Box]:
    """Face boxes in working-size coordinates.

    A photo at working size is searched first on a copy reduced to FIRST_PASS_SCALE, which
    finds the faces of a portrait or a close group in a sixth of the time of a search at double
    size. The search at double size, for faces down to about 40 px, follows only where that
    first pass found no face or found a small one, a sign of a group or crowd whose faces go
    smaller still. Both look at the luminance: HOG on one channel instead of three costs a
    fifth less and found the same faces (docs/benchmarks.md). A small photo is searched in
    colour at double size, and with nothing found there at four times its size: that finds
    faces in thumbnails, while a first pass at four times would miss some faces that fill a
    small photo.
    """
    locate = _face_recognition().face_locations
    if upsample is not None:
        boxes = locate(image.pixels, upsample, "hog")
    elif is_small(image):
        boxes = locate(image.pixels, 1, "hog") or locate(image.pixels, 2, "hog")
    else:
        luminance = Image.fromarray(image.pixels).convert("L")
        boxes = first_pass(luminance)
        if needs_double_size(boxes, close_face):
            boxes = locate(np.asarray(luminance), 1, "hog")
    return [tuple(int(v) for v in box) for box in boxes]


def first_pass(luminance: Image.Image) -> list[Box]:
    """HOG on the luminance reduced to FIRST_PASS_SCALE; boxes in working-size coordinates."""
    width, height = luminance.size
    reduced = luminance.resize(
        (round(width * FIRST_PASS_SCALE), round(height * FIRST_PASS_SCALE)),
        Image.Resampling.BILINEAR,
    )
    found = _face_recognition().face_locations(np.asarray(reduced), 0, "hog")
    return [tuple(round(v / FIRST_PASS_SCALE) for v in box) for box in found]


def needs_double_size(first_pass: list[Box], close_face: int = CLOSE_FACE) -> bool:
    """Whether the first pass's boxes call for the pass at double size."""
    return not first_pass or min(box_side(box) for box in first_pass) < close_face


def box_side(box: Box) -> int:
    top, right, bottom, left = box
    return min(bottom - top, right - left)


def encode_boxes(image: LoadedImage, boxes: list[Box]) -> list[np.ndarray]:
    """One 128-d encoding per working-size box, in the same order."""
    if not boxes:
        return []
    encodings = _face_recognition().face_encodings(image.pixels, known_face_locations=boxes)
    return [np.asarray(encoding, dtype=np.float32) for encoding in encodings]


def to_original(image: LoadedImage, box: Box) -> Box:
    scale = image.scale
    width, height = image.original_size
    top, right, bottom, left = box
    return (
        max(0, min(height, round(top * scale))),
        max(0, min(width, round(right * scale))),
        max(0, min(height, round(bottom * scale))),
        max(0, min(width, round(left * scale))),
    )


def scan(image: LoadedImage, *, max_faces: int | None = None) -> FaceScan:
    """Detect and encode the faces of a loaded photo, biggest first; at most `max_faces`."""
    boxes = detect_boxes(image)
    boxes.sort(key=lambda b: (b[2] - b[0]) * (b[1] - b[3]), reverse=True)
    found = len(boxes)
    if max_faces is not None:
        boxes = boxes[:max_faces]
    encodings = encode_boxes(image, boxes)
    faces = [
        Face(box=to_original(image, b), encoding=e) for b, e in zip(boxes, encodings, strict=True)
    ]
    return FaceScan(image=image, faces=faces, faces_found=found)


def find_faces(
    data: bytes,
    *,
    max_faces: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    require_face: bool = False,
) -> FaceScan:
    """Load untrusted bytes and return every face in them (NoFaceFound if required and none)."""
    result = scan(load_image(data, max_pixels=max_pixels), max_faces=max_faces)
    if require_face and not result.faces:
        raise NoFaceFound()
    return result
