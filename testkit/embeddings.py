"""Real embeddings of the shared test photos, computed in parallel by the face engine.

Results are kept in pytest's cache folder keyed by each file's sha256, so a second local run
reuses them; CI starts from a clean clone and computes them all.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from face_engine.faces import ENCODER, encode_boxes, find_faces
from face_engine.images import load_image


@dataclass(frozen=True)
class Embedded:
    paths: list[Path]
    people: np.ndarray  # folder name per row
    vectors: np.ndarray  # (n, 128) float32

    @classmethod
    def from_scans(cls, paths: list[Path], scans) -> Embedded:
        """The photos with exactly one face, from their scans (testkit/scans.py)."""
        kept = [(p, s) for p, s in zip(paths, scans, strict=True) if s.single_face]
        return cls(
            [p for p, _ in kept],
            np.array([p.parent.name for p, _ in kept]),
            np.stack([s.encoding for _, s in kept]).astype(np.float32),
        )


def _embed(args: tuple[str, bool]) -> np.ndarray | None:
    path, whole_crop_fallback = args
    data = Path(path).read_bytes()
    scan = find_faces(data)
    if len(scan.faces) == 1:
        return scan.faces[0].encoding
    if whole_crop_fallback and not scan.faces:
        # Aligned face crops, which HOG sometimes misses: the whole crop is the face.
        image = load_image(data)
        height, width = image.pixels.shape[:2]
        return encode_boxes(image, [(0, width, height, 0)])[0]
    return None


def embed_people(folders: list[Path], cache_dir: Path, whole_crop_fallback=False) -> Embedded:
    """Embed every photo in each person's folder; photos without exactly one face are left out."""
    paths = [p for folder in folders for p in sorted(folder.iterdir()) if p.is_file()]
    cache_dir.mkdir(parents=True, exist_ok=True)
    # The key covers the photo and the engine's own code, so a changed pipeline recomputes.
    engine = b"".join(
        (Path(__file__).resolve().parents[1] / "face_engine" / name).read_bytes()
        for name in ("images.py", "faces.py")
    )
    keys = [hashlib.sha256(p.read_bytes() + ENCODER.encode() + engine).hexdigest() for p in paths]
    missing = [i for i, key in enumerate(keys) if not (cache_dir / f"{key}.npy").exists()]
    if missing:
        jobs = [(str(paths[i]), whole_crop_fallback) for i in missing]
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for i, vector in zip(missing, pool.map(_embed, jobs, chunksize=16), strict=True):
                empty = np.empty(0, dtype=np.float32)
                np.save(cache_dir / f"{keys[i]}.npy", empty if vector is None else vector)
    kept_paths, people, vectors = [], [], []
    for path, key in zip(paths, keys, strict=True):
        vector = np.load(cache_dir / f"{key}.npy")
        if vector.size:
            kept_paths.append(path)
            people.append(path.parent.name)
            vectors.append(vector)
    return Embedded(kept_paths, np.array(people), np.stack(vectors).astype(np.float32))
