"""Short films made at test time from the shared real photos, encoded with PyAV (H.264 in MP4).

A film is a list of shots. A shot holds one or two photos, each framed around its face (found by
the face engine's scan of the photo) as a close-up, with a slow zoom so that its frames differ a
little, as a film's do; or it holds no face at all (a title card, a photo of dogs, a grey frame).
Who is seen when is known, so tests can check what a harvest keeps against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from face_engine.crops import crop_box

from .scans import PhotoScans

WIDTH, HEIGHT = 640, 360
FPS = 10
# A face fills this share of the frame's height: about 130 px, a close-up that HOG finds without
# upsampling.
FACE_SHARE = 0.36
ZOOM = 0.06  # how much a shot zooms in from its first frame to its last


@dataclass(frozen=True)
class Shot:
    seconds: float
    people: tuple[str, ...] = ()  # who is seen, left to right
    photos: tuple[str, ...] = ()  # their photos, paths under the shared photos
    still: str = ""  # a photo without faces, shown whole
    caption: str = ""  # text on a dark card


@dataclass
class Film:
    path: Path
    shots: list[Shot]
    starts: list[float] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return sum(shot.seconds for shot in self.shots)

    def shot_number(self, seconds: float) -> int:
        """Position of the shot seen at this time (shots can be alike, so not found by value)."""
        for number, (shot, start) in enumerate(zip(self.shots, self.starts, strict=True)):
            if start <= seconds < start + shot.seconds:
                return number
        raise ValueError(f"{seconds} s is after the end of the film")

    def shot_at(self, seconds: float) -> Shot:
        return self.shots[self.shot_number(seconds)]

    def people_at(self, seconds: float) -> tuple[str, ...]:
        return self.shot_at(seconds).people

    def shots_of(self, person: str) -> list[tuple[float, float]]:
        """(start, end) of every shot that shows the person."""
        return [
            (start, start + shot.seconds)
            for shot, start in zip(self.shots, self.starts, strict=True)
            if person in shot.people
        ]


def _close_up(path: Path, scans: PhotoScans, side: int) -> Image.Image:
    """A square around the photo's face, so that the face is about FACE_SHARE of it (more when
    the photo has too little room around the face), at twice `side` for zooming into."""
    photo = Image.open(path).convert("RGB")
    margin = (1 / FACE_SHARE - 1) / 2
    region = crop_box(scans(path).box, photo.width, photo.height, margin=margin)
    return photo.crop(region).resize((2 * side, 2 * side), Image.Resampling.LANCZOS)


def _zoomed(close_up: Image.Image, side: int, zoom: float) -> Image.Image:
    inset = round(close_up.width * (1 - 1 / (1 + zoom)) / 2)
    region = (inset, inset, close_up.width - inset, close_up.height - inset)
    return close_up.crop(region).resize((side, side), Image.Resampling.BILINEAR)


def _frame(shot: Shot, progress: float, size, faces_dir: Path, scans: PhotoScans, cache: dict):
    width, height = size
    frame = Image.new("RGB", size, (30, 30, 36))
    if shot.caption:
        draw = ImageDraw.Draw(frame)
        draw.text((width // 2 - 60, height // 2 - 8), shot.caption, fill=(230, 230, 230))
    if shot.still:
        if shot.still not in cache:
            still = Image.open(faces_dir / shot.still).convert("RGB")
            cache[shot.still] = still.resize(size)
        frame.paste(cache[shot.still])
    slots = len(shot.photos)
    for slot, photo in enumerate(shot.photos):
        if photo not in cache:
            cache[photo] = _close_up(faces_dir / photo, scans, height)
        tile = _zoomed(cache[photo], height, ZOOM * progress)
        if slots == 2:
            inset = height // 9  # two people share the frame
            tile = tile.crop((inset, 0, height - inset, height))
        centre = width * (2 * slot + 1) // (2 * slots)
        frame.paste(tile, (centre - tile.width // 2, 0))
    return frame


def film_make(
    path: Path,
    shots: list[Shot],
    faces_dir: Path,
    scans: PhotoScans,
    *,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    fps: int = FPS,
) -> Film:
    """Encode the shots, in order, as an MP4 of `size` pixels and `fps` frames a second."""
    film = Film(path=Path(path), shots=list(shots))
    cache: dict = {}
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        start = 0.0
        for shot in shots:
            film.starts.append(start)
            count = round(shot.seconds * fps)
            for number in range(count):
                progress = number / max(1, count - 1)
                picture = _frame(shot, progress, size, faces_dir, scans, cache)
                for packet in stream.encode(av.VideoFrame.from_image(picture)):
                    container.mux(packet)
            start += shot.seconds
        for packet in stream.encode():
            container.mux(packet)
    return film


def sound_only(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 file holding a second of silence and no picture."""
    rate, samples = 44100, 1024
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        for _ in range(round(seconds * rate / samples)):
            silence = np.zeros((1, samples), np.float32)
            frame = av.AudioFrame.from_ndarray(silence, format="fltp", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return Path(path)
