"""Measure the suspect finder (moderation/suspects_engine.py) on real embeddings, and time it.

1. Misfiled photos: the gallery's photos (shared test photos, gallery/: 21 people) with
   --fraction of them moved under another person picked at random, once per seed. For each flag
   threshold: how many moved photos are flagged (recall; a moved photo that lands under an actor
   with fewer than 3 photos cannot be judged and counts as missed) and how many correctly filed
   photos are flagged by mistake.
2. Strangers: for every person, every one of their photos filed under every other person, with
   the person's own photos left out of the catalogue, so the photo belongs to nobody in it. Counts
   how many of these are flagged, and how many of the receiving actor's own photos are.
3. Time: score_outliers on the gallery (median of 5 runs) and on synthetic catalogues of
   --synthetic ACTORSxPHOTOS (random unit vectors around a random centre per actor; only the time
   means anything there).

Embeddings come from the face engine through testkit/embeddings.py and are cached in
pytest's cache folder (--cache), shared with the test suite, so a second run encodes nothing.

Run from the repository root:  .venv/bin/python bench/suspects.py [--seeds 20] [--json FILE]
Photos are read from --faces, $LOOKALIKE_FACES_DIR, or ../shared/faces beside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from moderation.suspects_engine import (  # noqa: E402
    FLAG_THRESHOLD,
    MIN_PHOTOS,
    misfile,
    score_outliers,
)
from testkit.embeddings import embed_people  # noqa: E402

THRESHOLDS = (0.15, 0.20, 0.25, 0.30)


@dataclass
class Row:
    threshold: float
    misfiled: int  # over all seeds
    misfiled_flagged: int
    recall_min: float  # the worst seed
    correct: int
    correct_flagged: int


def gallery(faces: Path, cache: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    folders = sorted(p for p in (faces / "gallery").iterdir() if p.is_dir())
    embedded = embed_people(folders, cache)
    names = sorted(set(embedded.people))
    actor_ids = np.array([names.index(person) for person in embedded.people])
    return embedded.vectors, actor_ids, names


def misfiled_rows(vectors, actor_ids, seeds: int, fraction: float) -> tuple[list[Row], int]:
    item_ids = np.arange(len(actor_ids))
    flagged = {t: [] for t in THRESHOLDS}  # per threshold, per seed: (misfiled hit, correct hit)
    unjudged = 0
    for seed in range(seeds):
        filed, moved = misfile(actor_ids, fraction, seed)
        scores = {s.item_id: s.score for s in score_outliers(vectors, filed, item_ids)}
        unjudged += sum(1 for i in moved if i not in scores)
        is_moved = np.isin(item_ids, moved)
        for threshold in THRESHOLDS:
            hits = np.array([scores.get(i, -np.inf) >= threshold for i in item_ids])
            flagged[threshold].append((int(hits[is_moved].sum()), int(hits[~is_moved].sum())))
    moved_count = round(fraction * len(actor_ids))
    rows = [
        Row(
            threshold=threshold,
            misfiled=moved_count * seeds,
            misfiled_flagged=sum(m for m, _ in per_seed),
            recall_min=min(m for m, _ in per_seed) / moved_count,
            correct=(len(actor_ids) - moved_count) * seeds,
            correct_flagged=sum(c for _, c in per_seed),
        )
        for threshold, per_seed in flagged.items()
    ]
    return rows, unjudged


def stranger_rows(vectors, actor_ids) -> list[dict]:
    stranger_scores, host_scores = [], []
    for person in np.unique(actor_ids):
        others = np.flatnonzero(actor_ids != person)
        for photo in np.flatnonzero(actor_ids == person):
            for host in np.unique(actor_ids[others]):
                rows = np.append(others, photo)
                filed = actor_ids[rows].copy()
                filed[-1] = host
                for suspect in score_outliers(vectors[rows], filed, rows):
                    if suspect.item_id == photo:
                        stranger_scores.append(suspect.score)
                    elif suspect.actor_id == host:
                        host_scores.append(suspect.score)
    strangers, hosts = np.array(stranger_scores), np.array(host_scores)
    return [
        {
            "threshold": t,
            "strangers": len(strangers),
            "strangers_flagged": int((strangers >= t).sum()),
            "host_photos": len(hosts),
            "host_photos_flagged": int((hosts >= t).sum()),
        }
        for t in THRESHOLDS
    ]


def seconds(vectors, actor_ids, repeat: int) -> float:
    item_ids = np.arange(len(actor_ids))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        score_outliers(vectors, actor_ids, item_ids)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic(actors: int, photos: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(actors, 128))
    vectors = np.repeat(centres, photos, axis=0) + 0.5 * rng.normal(size=(actors * photos, 128))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), np.repeat(np.arange(actors), photos)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_faces = os.environ.get("LOOKALIKE_FACES_DIR", REPO.parent / "shared" / "faces")
    parser.add_argument("--faces", type=Path, default=Path(default_faces))
    parser.add_argument("--cache", type=Path, default=REPO / ".pytest_cache/d/face-embeddings")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--fraction", type=float, default=0.1)
    parser.add_argument("--synthetic", nargs="*", default=["1000x10", "5000x10"])
    parser.add_argument("--no-strangers", action="store_true", help="skip part 2 (40 s)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    vectors, actor_ids, names = gallery(args.faces, args.cache)
    print(
        f"{datetime.now():%Y-%m-%d %H:%M}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}; flag threshold "
        f"{FLAG_THRESHOLD}, actors under {MIN_PHOTOS} photos not judged"
    )
    print(f"Gallery: {len(vectors)} photos of {len(names)} people.\n")

    rows, unjudged = misfiled_rows(vectors, actor_ids, args.seeds, args.fraction)
    print(
        f"1. Misfiled: {args.fraction:.0%} of the photos moved, {args.seeds} seeds "
        f"({unjudged} moved photos landed under an actor too small to judge)"
    )
    print("| threshold | misfiled flagged | recall | worst seed | correct flagged | rate |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.threshold:.2f} | {r.misfiled_flagged} of {r.misfiled} "
            f"| {r.misfiled_flagged / r.misfiled:.1%} | {r.recall_min:.1%} "
            f"| {r.correct_flagged} of {r.correct} | {r.correct_flagged / r.correct:.3%} |"
        )

    strangers = [] if args.no_strangers else stranger_rows(vectors, actor_ids)
    if strangers:
        print("\n2. Strangers: a photo of someone not in the catalogue filed under an actor")
        print("| threshold | strangers flagged | recall | host's own photos flagged |")
        print("|---:|---:|---:|---:|")
        for s in strangers:
            print(
                f"| {s['threshold']:.2f} | {s['strangers_flagged']} of {s['strangers']} "
                f"| {s['strangers_flagged'] / s['strangers']:.1%} "
                f"| {s['host_photos_flagged']} of {s['host_photos']} |"
            )

    timings = {"gallery": seconds(vectors, actor_ids, repeat=5)}
    for shape in args.synthetic:
        actors, photos = (int(n) for n in shape.split("x"))
        timings[shape] = seconds(*synthetic(actors, photos), repeat=1)
    print("\n3. Time of score_outliers")
    for name, value in timings.items():
        print(f"  {name}: {value * 1000:,.0f} ms")

    if args.json:
        figures = {
            "misfiled": [asdict(r) for r in rows],
            "unjudged": unjudged,
            "strangers": strangers,
            "seconds": timings,
        }
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
