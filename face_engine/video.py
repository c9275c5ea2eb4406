"""Faces in a video: which moments to look at, reading those frames with PyAV, and the faces in
them, each with a crop that can be stored as a reference photo.

Plain Python like the rest of the engine; which faces are kept is decided in harvest.py.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.stream
import numpy as np
from PIL import Image

from .crops import crop_box, jpeg_bytes
from .errors import FaceEngineError
from .faces import Box, detect_boxes, encode_boxes, to_original
from .images import LoadedImage
from .limits import WORKING_SIZE

# Opening credits: this share of the length is skipped at the start, at most OPENING_MAX_SECONDS.
# The same share of the end (at most CLOSING_MAX_SECONDS) is left out too: end credits are text.
CREDITS_SHARE = 0.05
OPENING_MAX_SECONDS = 180.0
CLOSING_MAX_SECONDS = 480.0
# About this many frames are read by default, whatever the length: every 7 s of a two-hour film
# (a minute or two of work), and at most every MIN_SPACING_SECONDS of a short clip, since frames
# closer than that show the same thing.
DEFAULT_FRAMES = 1000
MIN_SPACING_SECONDS = 0.5
# A gap at least this long between two wanted frames is crossed by seeking to the keyframe before
# the next one, rather than by decoding every frame in between.
SEEK_SECONDS = 4.0
# HOG is run on the working copy without upsampling, so it finds faces of about 80 px and up
# there (about 150 px in a 1080p frame): faces big enough to make good reference photos, found
# at a seventh of the cost of searching at double size.
VIDEO_UPSAMPLE = 0
# Room around the face in the stored crop, as a share of the face box's side: enough for the
# face to be found again in the crop alone, which is how the crop is checked and encoded.
CROP_MARGIN = 0.5
IMAGE_FORMATS = {"image2"}  # ffmpeg opens a still photo as a one-frame "video"; so are *_pipe


class NotAVideo(FaceEngineError):
    code = "not_a_video"
    default_message = "This file is not a video we can read."


@dataclass(frozen=True)
class VideoInfo:
    duration: float  # seconds
    width: int  # as displayed (sample aspect ratio applied)
    height: int
    frame_rate: float | None
    title: str  # from the file's metadata, "" if none


@dataclass(frozen=True)
class VideoFace:
    time: float  # seconds from the start of the video
    frame: int  # position of its frame among the frames read
    box: Box  # (top, right, bottom, left) in the frame's displayed pixels
    encoding: np.ndarray  # float32, (128,)
    crop: bytes  # JPEG of the face with margin, cut from the frame at full size


@dataclass(frozen=True)
class FrameFaces:
    time: float
    number: int  # position among the frames read
    faces: list[VideoFace]


@dataclass(frozen=True)
class Sampling:
    """Which moments to read: every `every_seconds` after `skip_seconds`, or `frames` of them
    evenly spread; at random (reproducibly) when a seed is given. Unset values scale with the
    video's length (see sample_times)."""

    skip_seconds: float | None = None
    every_seconds: float | None = None
    frames: int | None = None
    seed: int | None = None


def default_skip(duration: float) -> float:
    return min(duration * CREDITS_SHARE, OPENING_MAX_SECONDS)


def default_spacing(span: float) -> float:
    return max(MIN_SPACING_SECONDS, span / DEFAULT_FRAMES)


def sample_times(duration: float, sampling: Sampling = Sampling()) -> list[float]:
    """The moments to read, in seconds, ascending. ValueError if the options leave nothing."""
    if duration <= 0:
        raise ValueError("The video has no length.")
    skip = default_skip(duration) if sampling.skip_seconds is None else sampling.skip_seconds
    if skip < 0:
        raise ValueError("The seconds to skip cannot be negative.")
    end = duration - min(duration * CREDITS_SHARE, CLOSING_MAX_SECONDS)
    if sampling.skip_seconds is not None and skip >= end:
        end = duration  # asked to skip this much: the end credits are given up first
    if skip >= end:
        raise ValueError(f"Skipping {skip:g} s leaves nothing of a {duration:g} s video.")
    span = end - skip
    if sampling.every_seconds is not None and sampling.frames is not None:
        raise ValueError("Give the spacing of the frames or their number, not both.")
    if sampling.frames is not None:
        if sampling.frames < 1:
            raise ValueError("At least one frame must be read.")
        count, spacing = sampling.frames, span / sampling.frames
    else:
        spacing = sampling.every_seconds
        if spacing is None:
            spacing = default_spacing(span)
        if spacing <= 0:
            raise ValueError("The spacing of the frames must be more than 0 seconds.")
        count = max(1, math.ceil(span / spacing - 1e-9))
    if sampling.seed is not None:
        draw = random.Random(sampling.seed)
        return sorted(round(skip + draw.random() * span, 3) for _ in range(count))
    return [round(skip + i * spacing, 3) for i in range(count)]


def _container(path: Path):
    try:
        return av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise NotAVideo(f"{path.name} is not a video we can read ({exc.strerror or exc}).") from exc


def _display_size(stream) -> tuple[int, int]:
    width, height = stream.codec_context.width, stream.codec_context.height
    aspect = stream.sample_aspect_ratio
    if aspect and aspect > 0 and aspect != 1:  # anamorphic: pixels are not square
        width = round(width * aspect)
    return width, height


def _info(container, path: Path):
    format_name = container.format.name
    if format_name in IMAGE_FORMATS or format_name.endswith("_pipe"):
        raise NotAVideo(f"{path.name} is a still image, not a video.")
    # A cover picture attached to a film is a video stream of one frame: not the film.
    streams = [
        s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic
    ]
    if not streams:
        raise NotAVideo(f"{path.name} has no video in it.")
    stream = streams[0]
    duration = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / av.time_base
    if not duration or duration <= 0:
        raise NotAVideo(f"{path.name}: the length of its video cannot be told.")
    width, height = _display_size(stream)
    if not width or not height:
        raise NotAVideo(f"{path.name}: its video has no picture size.")
    rate = float(stream.average_rate) if stream.average_rate else None
    title = str(container.metadata.get("title", "")).strip()
    return stream, VideoInfo(duration, width, height, rate, title)


def video_info(path: str | Path) -> VideoInfo:
    """Length, size and title of a video; NotAVideo if it is none."""
    path = Path(path)
    with _container(path) as container:
        return _info(container, path)[1]


def _frames_at(container, stream, times: list[float]) -> Iterator[tuple[float, av.VideoFrame]]:
    """The first frame at or after each wanted time (a frame is never given twice)."""
    start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    half_frame = 0.5 / float(stream.average_rate) if stream.average_rate else 0.0
    decoded = None
    position = -math.inf  # time of the last frame decoded
    for wanted in times:
        if decoded is None or wanted - position > SEEK_SECONDS:
            offset = int(Fraction(wanted + start).limit_denominator(10**6) / stream.time_base)
            container.seek(offset, stream=stream, backward=True)
            decoded = container.decode(stream)
        for frame in decoded:
            if frame.time is None:
                continue
            position = frame.time - start
            if position + half_frame >= wanted:
                yield position, frame
                break
        else:
            return  # the video ended before this time


def _working_copy(frame: av.VideoFrame, size: tuple[int, int]) -> LoadedImage:
    width, height = size
    scale = min(1.0, WORKING_SIZE / max(width, height))
    small = frame.reformat(
        width=max(1, round(width * scale)), height=max(1, round(height * scale)), format="rgb24"
    )
    return LoadedImage(pixels=small.to_ndarray(), original_size=size, format=None)


def _full_size(frame: av.VideoFrame, size: tuple[int, int]) -> Image.Image:
    width, height = size
    return frame.reformat(width=width, height=height, format="rgb24").to_image()


def video_frames(path: str | Path, times: list[float]) -> Iterator[FrameFaces]:
    """The frames at `times`, one by one, each with the faces found in it. NotAVideo if the file
    is none, or is damaged where it is read."""
    path = Path(path)
    with _container(path) as container:
        stream, info = _info(container, path)
        stream.thread_type = "AUTO"
        size = (info.width, info.height)
        frames = _frames_at(container, stream, times)
        number = 0
        while True:
            try:
                moment = next(frames, None)
            except av.FFmpegError as exc:
                raise NotAVideo(f"{path.name} is damaged and cannot be read on ({exc}).") from exc
            if moment is None:
                return
            time, frame = moment
            yield FrameFaces(round(time, 3), number, _faces(frame, size, round(time, 3), number))
            number += 1


def _faces(frame: av.VideoFrame, size: tuple[int, int], time: float, number: int):
    image = _working_copy(frame, size)
    boxes = detect_boxes(image, upsample=VIDEO_UPSAMPLE)
    if not boxes:
        return []
    picture = _full_size(frame, size)
    faces = []
    for box, encoding in zip(boxes, encode_boxes(image, boxes), strict=True):
        original = to_original(image, box)
        region = crop_box(original, *size, margin=CROP_MARGIN)
        crop = jpeg_bytes(picture.crop(region), quality=92)
        faces.append(VideoFace(time, number, original, encoding, crop))
    return faces
