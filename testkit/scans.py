"""What the import pipeline computes from a photo, computed once per photo and kept.

`actors.services.photo_import` runs dlib on every photo it adds (about 0.3 s each): the face box,
the 128-d encoding and the face thumbnail it stores. Tests that need a catalogue build it with
the factories in testkit/factories.py from these scans instead, so dlib sees each shared photo
once per test session rather than once per test. The scans are the engine's own output, kept in
memory for the session and in pytest's cache folder between local runs, keyed by the photo's
bytes and the engine's code (CI starts from a clean clone and computes them once).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from face_engine.crops import jpeg_bytes, loaded_face_crop
from face_engine.faces import ENCODER, find_faces

ENGINE = Path(__file__).resolve().parents[1] / "face_engine"
# Below this many photos to scan, starting worker processes costs more than it saves.
POOL_FROM = 8


@dataclass(frozen=True)
class PhotoScan:
    sha256: str  # of the photo's bytes
    format: str  # as Pillow names it: "JPEG", "PNG", ...
    size: tuple[int, int]  # width, height as displayed (after EXIF orientation)
    boxes: np.ndarray  # (faces, 4) top, right, bottom, left in the photo's pixels, biggest first
    encodings: np.ndarray  # (faces, 128) float32
    thumbnail: bytes  # the face crop the import stores; empty unless there is exactly one face

    @property
    def single_face(self) -> bool:
        return len(self.boxes) == 1

    @property
    def box(self) -> tuple[int, int, int, int]:
        assert self.single_face, f"photo {self.sha256[:12]} has {len(self.boxes)} faces"
        return tuple(int(v) for v in self.boxes[0])

    @property
    def encoding(self) -> np.ndarray:
        assert self.single_face, f"photo {self.sha256[:12]} has {len(self.boxes)} faces"
        return self.encodings[0]


def scan_bytes(data: bytes) -> PhotoScan:
    """Exactly what photo_import computes from a photo's bytes."""
    scan = find_faces(data)
    thumbnail = b""
    if len(scan.faces) == 1:
        thumbnail = jpeg_bytes(loaded_face_crop(scan.image, scan.faces[0].box))
    return PhotoScan(
        sha256=hashlib.sha256(data).hexdigest(),
        format=scan.image.format or "",
        size=tuple(scan.image.original_size),
        boxes=np.array([face.box for face in scan.faces], dtype=np.int64).reshape(-1, 4),
        encodings=np.array([f.encoding for f in scan.faces], dtype=np.float32).reshape(-1, 128),
        thumbnail=thumbnail,
    )


def _scan_file(path: str) -> PhotoScan:
    return scan_bytes(Path(path).read_bytes())


def _engine_code() -> bytes:
    return ENCODER.encode() + b"".join(p.read_bytes() for p in sorted(ENGINE.glob("*.py")))


class PhotoScans:
    """Scans of photo files, each computed at most once; many at a time go to every core."""

    def __init__(self, cache_dir: Path | None = None):
        self._memory: dict[str, PhotoScan] = {}  # by the sha256 of the photo's bytes
        self._cache_dir = cache_dir
        self._engine = _engine_code()

    def __call__(self, path: Path) -> PhotoScan:
        return self.many([path])[0]

    def many(self, paths: list[Path]) -> list[PhotoScan]:
        digests = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]
        missing = {}
        for path, digest in zip(paths, digests, strict=True):
            if digest not in self._memory and not self._load(digest):
                missing.setdefault(digest, str(path))
        if missing:
            self._compute(missing)
        return [self._memory[digest] for digest in digests]

    def _compute(self, missing: dict[str, str]) -> None:
        paths = list(missing.values())
        if len(paths) < POOL_FROM:
            scans = [_scan_file(path) for path in paths]
        else:
            with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                scans = list(pool.map(_scan_file, paths, chunksize=4))
        for digest, scan in zip(missing, scans, strict=True):
            self._memory[digest] = scan
            self._save(scan)

    def _cache_file(self, digest: str) -> Path | None:
        if self._cache_dir is None:
            return None
        key = hashlib.sha256(digest.encode() + self._engine).hexdigest()
        return self._cache_dir / f"{key}.npz"

    def _load(self, digest: str) -> bool:
        path = self._cache_file(digest)
        if path is None or not path.exists():
            return False
        with np.load(path, allow_pickle=False) as stored:
            self._memory[digest] = PhotoScan(
                sha256=digest,
                format=str(stored["format"]),
                size=tuple(int(v) for v in stored["size"]),
                boxes=stored["boxes"],
                encodings=stored["encodings"],
                thumbnail=stored["thumbnail"].tobytes(),
            )
        return True

    def _save(self, scan: PhotoScan) -> None:
        path = self._cache_file(scan.sha256)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        np.savez(
            partial,
            format=np.array(scan.format),
            size=np.array(scan.size),
            boxes=scan.boxes,
            encodings=scan.encodings,
            thumbnail=np.frombuffer(scan.thumbnail, dtype=np.uint8),
        )
        partial.replace(path)  # whole or absent, should a run stop half way
