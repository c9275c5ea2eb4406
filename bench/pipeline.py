"""Time the face pipeline against the original demo's approach, and compare detection coverage.

A, this pipeline: bytes -> load_image (JPEG draft, EXIF orientation, thumbnail to the working
size) -> engine.faces.detect_boxes (HOG) -> one encoding per face -> FaceIndex.search
(annoy candidates, exact re-rank, top 3) against the gallery's embeddings.

B, the original demo's approach: bytes -> full-resolution decode (Pillow open, EXIF transpose,
RGB) -> face_recognition HOG detection with upsample 1; when it finds nothing, the CNN detector
(upsample 1) -> one encoding per face -> numpy distances to each actor's mean embedding, top 3.

Workloads:
  1. a 12 MP phone photo built at run time from extras/very_large_4600px_clooney.jpg
     (3:4 crop, 3024x4032, JPEG quality 90): each stage, median of --repeat runs;
  2. every gallery photo: totals and per-photo medians;
  3. detection coverage: faces found by A at working resolution vs full-resolution HOG
     (upsample 1) for gallery/, extras/ and examples/.

One process; the models are loaded and run once before anything is timed. Each photo goes
through A and B in turn; A's peak RSS comes from one extra run made before any of B (dlib keeps
memory after a full-resolution pass, which would inflate it). B encodes at the boxes its detector
found, as face_recognition.face_encodings(known_face_locations). B's CNN fallback runs only on
photos up to --cnn-max-mp megapixels: at full resolution it costs about a minute and 4 GB per
megapixel on a 2-core machine.

Run from the repository root:  .venv/bin/python bench/pipeline.py [--quick] [--skip-cnn]
Photos are read from --faces, $LOOKALIKE_FACES_DIR, or ../shared/faces beside the repository.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import io
import json
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from face_engine import faces as engine  # noqa: E402
from face_engine.images import WORKING_SIZE, load_image  # noqa: E402
from face_engine.index import FaceIndex  # noqa: E402

_truncated_setting = ImageFile.LOAD_TRUNCATED_IMAGES
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    import face_recognition  # noqa: E402
# As the engine does: face_recognition turns on Pillow's process-wide "load truncated images".
ImageFile.LOAD_TRUNCATED_IMAGES = _truncated_setting

STAGES = ("decode", "detect", "encode", "match")
PHONE_SOURCE = "extras/very_large_4600px_clooney.jpg"
PHONE_SIZE = (3024, 4032)
PHONE_QUALITY = 90
TOP = 3
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


# --- measuring ----------------------------------------------------------------------------------


def _status_mb(field_name: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _can_reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return _status_mb("VmHWM") is not None


PEAK_RESETS = _can_reset_peak()


def _malloc_trim() -> Callable[[], object]:
    try:
        libc = ctypes.CDLL("libc.so.6")
        return lambda: libc.malloc_trim(0)
    except (OSError, AttributeError):
        return lambda: None


MALLOC_TRIM = _malloc_trim()


def reset_peak_rss() -> float | None:
    """Start a new peak-RSS window (Linux; elsewhere the peak is the process's so far) and
    return the current RSS in MB. Freed memory is first handed back to the system, so that
    memory a previous run left cached in the allocator does not hide this run's growth."""
    gc.collect()
    MALLOC_TRIM()
    if PEAK_RESETS:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    if PEAK_RESETS:
        return _status_mb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Run:
    """One photo through one pipeline. Seconds per stage; CNN time is included in detect."""

    seconds: dict[str, float] = field(default_factory=dict)
    hog_faces: int = 0
    faces: int = 0
    encodings: list[np.ndarray] = field(default_factory=list)
    areas: list[int] = field(default_factory=list)
    cnn_seconds: float | None = None
    cnn_faces: int | None = None
    cnn_skipped: bool = False
    peak_mb: float | None = None
    base_mb: float | None = None  # RSS when the run started
    detail: str = ""  # A: working size, and whether the photo was reduced
    long_side: int = 0  # of the photo as displayed, in pixels

    @property
    def total(self) -> float:
        return sum(self.seconds.get(stage, 0.0) for stage in STAGES)

    def biggest_encoding(self) -> np.ndarray | None:
        if not self.encodings:
            return None
        return self.encodings[int(np.argmax(self.areas))]


def _area(box) -> int:
    top, right, bottom, left = box
    return (bottom - top) * (right - left)


# --- the two pipelines ----------------------------------------------------------------------------


def run_a(data: bytes, *, encode: bool = True, match: Callable | None = None) -> Run:
    """This pipeline, stage by stage, as engine.find_faces does it, then FaceIndex.search."""
    run = Run(base_mb=reset_peak_rss())
    start = time.perf_counter()
    image = load_image(data)
    decoded = time.perf_counter()
    boxes = engine.detect_boxes(image)
    boxes.sort(key=_area, reverse=True)
    detected = time.perf_counter()
    run.seconds = {"decode": decoded - start, "detect": detected - decoded}
    run.hog_faces = run.faces = len(boxes)
    run.long_side = max(image.original_size)
    width, height = image.working_size
    run.detail = f"{width}x{height}" + (" (reduced)" if image.scale > 1 else " (full size)")
    if encode:
        encodings = engine.encode_boxes(image, boxes)
        found = [
            engine.Face(box=engine.to_original(image, box), encoding=encoding)
            for box, encoding in zip(boxes, encodings, strict=True)
        ]
        run.seconds["encode"] = time.perf_counter() - detected
        run.encodings = [face.encoding for face in found]
        run.areas = [face.area for face in found]
    if match is not None:
        run.seconds["match"] = timed_match(match, run.encodings)
    run.peak_mb = peak_rss_mb()
    return run


def decode_full(data: bytes) -> np.ndarray:
    """The original demo's decode: the whole photo at full resolution, upright, RGB."""
    image = Image.open(io.BytesIO(data))
    image = ImageOps.exif_transpose(image)
    return np.asarray(image.convert("RGB"))


def run_b(
    data: bytes,
    *,
    cnn_max_pixels: int | None,
    encode: bool = True,
    match: Callable | None = None,
) -> Run:
    """The original demo's approach; the CNN fallback runs only up to `cnn_max_pixels`."""
    run = Run(base_mb=reset_peak_rss())
    start = time.perf_counter()
    pixels = decode_full(data)
    decoded = time.perf_counter()
    run.long_side = max(pixels.shape[:2])
    boxes = face_recognition.face_locations(pixels, number_of_times_to_upsample=1, model="hog")
    run.hog_faces = len(boxes)
    if not boxes and cnn_max_pixels is not None:
        if pixels.shape[0] * pixels.shape[1] <= cnn_max_pixels:
            cnn_start = time.perf_counter()
            boxes = face_recognition.face_locations(pixels, model="cnn")
            run.cnn_seconds = time.perf_counter() - cnn_start
            run.cnn_faces = len(boxes)
        else:
            run.cnn_skipped = True
    detected = time.perf_counter()
    run.seconds = {"decode": decoded - start, "detect": detected - decoded}
    run.faces = len(boxes)
    if encode:
        encodings = []
        if boxes:
            encodings = face_recognition.face_encodings(pixels, known_face_locations=boxes)
        run.seconds["encode"] = time.perf_counter() - detected
        run.encodings = list(encodings)
        run.areas = [_area(box) for box in boxes]
    if match is not None:
        run.seconds["match"] = timed_match(match, run.encodings)
    run.peak_mb = peak_rss_mb()
    return run


def timed_match(match: Callable, encodings: list[np.ndarray]) -> float:
    start = time.perf_counter()
    for encoding in encodings:
        match(encoding)
    return time.perf_counter() - start


def index_matcher(index: FaceIndex) -> Callable:
    return lambda encoding: index.search(encoding, top=TOP)


def means_matcher(means: np.ndarray) -> Callable:
    def match(encoding: np.ndarray) -> np.ndarray:
        distances = np.linalg.norm(means - encoding, axis=1)
        return np.argsort(distances)[:TOP]

    return match


# --- inputs -------------------------------------------------------------------------------------


def make_phone_photo(source: Path, directory: Path) -> Path:
    """Crop the source to 3:4 portrait (centred), resize to 3024x4032, save as JPEG q90."""
    with Image.open(source) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    width, height = image.size
    if width * 4 > height * 3:
        new_width = height * 3 // 4
        left = (width - new_width) // 2
        box = (left, 0, left + new_width, height)
    else:
        new_height = width * 4 // 3
        top = (height - new_height) // 2
        box = (0, top, width, top + new_height)
    image = image.crop(box).resize(PHONE_SIZE, Image.Resampling.LANCZOS)
    path = directory / "phone_12mp.jpg"
    image.save(path, "JPEG", quality=PHONE_QUALITY)
    return path


def photos_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def gallery_photos(faces_dir: Path, per_person: int | None) -> dict[str, list[Path]]:
    people = {}
    for person in sorted(p for p in (faces_dir / "gallery").iterdir() if p.is_dir()):
        photos = photos_in(person)
        people[person.name] = photos[:per_person] if per_person else photos
    return people


def expected_counts(faces_dir: Path) -> dict[str, int]:
    """Expected face counts for extras/, as listed in the photos' README ("- `name` [n]: ...")."""
    readme = faces_dir / "README.md"
    if not readme.exists():
        return {}
    found = re.findall(r"^- `([^`]+)` \[(\d+)\]", readme.read_text(), flags=re.MULTILINE)
    return {name: int(count) for name, count in found}


def megapixels(path: Path) -> float:
    with Image.open(path) as image:
        return image.size[0] * image.size[1] / 1e6


def warm_up(with_cnn: bool) -> None:
    """Load the models and run each detector and the encoder once, outside the timings."""
    engine.warm_up()
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 255, size=(240, 320, 3), dtype=np.uint8)
    face_recognition.face_locations(noise, 1, "hog")
    face_recognition.face_encodings(noise, known_face_locations=[(40, 200, 200, 40)])
    if with_cnn:
        face_recognition.face_locations(noise[:100, :100], model="cnn")
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, "JPEG")
    load_image(buffer.getvalue())


# --- formatting ---------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    value = seconds * 1000
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def ratio(b: float, a: float) -> str:
    return f"{b / a:.1f}x" if a > 0 else "-"


def table(headers: list[str], rows: list[list], right: set[int] | None = None) -> str:
    """A Markdown table, padded so it also reads as plain text."""
    right = set(range(1, len(headers))) if right is None else right
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        padded = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [("-" * (w - 1) + ":") if i in right else "-" * w for i, w in enumerate(widths)]
    return "\n".join([line(cells[0]), "| " + " | ".join(rule) + " |", *map(line, cells[1:])])


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median_of(runs: list[Run], stage: str) -> float:
    return statistics.median(r.seconds.get(stage, 0.0) for r in runs)


# --- workloads ----------------------------------------------------------------------------------


@dataclass
class GalleryResult:
    names: list[str]
    a: list[Run]
    b: list[Run]
    index: FaceIndex
    means: np.ndarray


def run_gallery(
    photos: list[Path], pipeline_a: Callable[[bytes], Run], pipeline_b: Callable[[bytes], Run]
) -> tuple[list[Run], list[Run]]:
    """Each gallery photo through A then B, so that both meet the same changes in the machine's
    load. Without matching (the galleries are not built yet): `add_match_times` adds it."""
    runs_a, runs_b = [], []
    for count, photo in enumerate(photos, start=1):
        data = photo.read_bytes()
        runs_a.append(pipeline_a(data))
        runs_b.append(pipeline_b(data))
        if count % 20 == 0 or count == len(photos):
            progress(f"  gallery: {count}/{len(photos)}")
    return runs_a, runs_b


def add_match_times(runs: list[Run], match: Callable) -> None:
    """Matching depends on the encodings alone, so timing it afterwards measures the same work."""
    for run in runs:
        run.seconds["match"] = timed_match(match, run.encodings)


def build_index(runs: list[Run], actors: list[int]) -> FaceIndex:
    """FaceIndex over the biggest face of each gallery photo (A's embeddings)."""
    vectors, actor_ids = [], []
    for run, actor in zip(runs, actors, strict=True):
        encoding = run.biggest_encoding()
        if encoding is not None:
            vectors.append(encoding)
            actor_ids.append(actor)
    return FaceIndex.build(np.stack(vectors), np.arange(len(vectors)), np.array(actor_ids))


def actor_means(runs: list[Run], actors: list[int], count: int) -> np.ndarray:
    """Each actor's mean embedding (B's embeddings), as the original demo compared against."""
    sums, seen = np.zeros((count, engine.EMBEDDING_SIZE)), np.zeros(count)
    for run, actor in zip(runs, actors, strict=True):
        encoding = run.biggest_encoding()
        if encoding is not None:
            sums[actor] += encoding
            seen[actor] += 1
    return sums[seen > 0] / seen[seen > 0, None]


def run_alternately(
    data: bytes, pipeline_a: Callable[[bytes], Run], pipeline_b: Callable[[bytes], Run], repeat: int
) -> tuple[list[Run], list[Run]]:
    """A then B, `repeat` times, so that both meet the same changes in the machine's load."""
    runs_a, runs_b = [], []
    for attempt in range(repeat):
        runs_a.append(pipeline_a(data))
        runs_b.append(pipeline_b(data))
        progress(f"  phone photo: run {attempt + 1}/{repeat}")
    return runs_a, runs_b


def coverage_row(photo: str, mp: float, a: Run, b: Run) -> dict:
    return {
        "photo": photo,
        "megapixels": round(mp, 2),
        "working": a.hog_faces,
        "working_detail": a.detail,
        "full": b.hog_faces,
        "full_hog_seconds": b.seconds["detect"] - (b.cnn_seconds or 0.0),
        "cnn_faces": b.cnn_faces,
        "cnn_seconds": b.cnn_seconds,
        "cnn_rss_growth_mb": rss_growth(b) if b.cnn_seconds is not None else None,
        "cnn_skipped": b.cnn_skipped,
    }


def coverage_workload(folder: Path, faces_dir: Path, cnn_max_pixels) -> list[dict]:
    """Faces found by A's detection vs full-resolution HOG (upsample 1), with B's CNN fallback
    timed wherever full-resolution HOG finds nothing."""
    rows = []
    for photo in photos_in(folder):
        data = photo.read_bytes()
        a = run_a(data, encode=False)
        b = run_b(data, cnn_max_pixels=cnn_max_pixels, encode=False)
        rows.append(coverage_row(str(photo.relative_to(faces_dir)), megapixels(photo), a, b))
        progress(f"  coverage {rows[-1]['photo']}: {a.hog_faces} vs {b.hog_faces}")
    return rows


# --- reports ------------------------------------------------------------------------------------


def run_summary(run: Run) -> dict:
    return {
        "seconds": {k: round(v, 5) for k, v in run.seconds.items()},
        "total": round(run.total, 5),
        "hog_faces": run.hog_faces,
        "faces": run.faces,
        "cnn_seconds": run.cnn_seconds,
        "cnn_skipped": run.cnn_skipped,
        "peak_rss_mb": run.peak_mb,
        "rss_before_mb": run.base_mb,
    }


def report_phone(phone: dict, photo_info: str, repeat: int) -> tuple[str, dict]:
    runs_a, runs_b, memory_a = phone["a"], phone["b"], phone["a_memory"]
    rows = []
    for stage in STAGES:
        a, b = median_of(runs_a, stage), median_of(runs_b, stage)
        rows.append([stage, ms(a), ms(b), ratio(b, a)])
    total_a = statistics.median(r.total for r in runs_a)
    total_b = statistics.median(r.total for r in runs_b)
    rows.append(["**total**", f"**{ms(total_a)}**", f"**{ms(total_b)}**", ratio(total_b, total_a)])
    rows.append(
        [
            "total, min-max",
            f"{ms(min(r.total for r in runs_a))}-{ms(max(r.total for r in runs_a))}",
            f"{ms(min(r.total for r in runs_b))}-{ms(max(r.total for r in runs_b))}",
            "",
        ]
    )
    rows.append(["faces found", runs_a[0].faces, runs_b[0].faces, ""])
    # A's memory comes from its run before any full-resolution pass (see main).
    peak_a, peak_b = memory_a.peak_mb, max(r.peak_mb for r in runs_b)
    rows.append(["peak RSS, MB", f"{peak_a:,.0f}", f"{peak_b:,.0f}", ratio(peak_b, peak_a)])
    grow_a, grow_b = rss_growth(memory_a), max(map(rss_growth, runs_b))
    rows.append(
        [
            "peak RSS over start, MB",
            f"{grow_a:,.0f}",
            f"{grow_b:,.0f}",
            ratio(grow_b, grow_a) if grow_a >= 10 else "",
        ]
    )
    cnn = [r for r in runs_b if r.cnn_seconds is not None or r.cnn_skipped]
    text = "\n".join(
        [
            f"## 1. 12 MP phone photo ({photo_info}); median of {repeat} runs, ms",
            "",
            table(["stage", "A: this pipeline", "B: original demo", "B/A"], rows),
            "",
            f"B/A of the median totals: {total_b / total_a:.1f}x",
            "A's peak RSS is from one more run (without matching) made before any "
            "full-resolution pass.",
            "B's CNN fallback: " + ("triggered" if cnn else "not triggered (HOG found a face)"),
        ]
    )
    data = {
        "photo": photo_info,
        "repeat": repeat,
        "median_ms": {
            "a": {s: median_of(runs_a, s) * 1000 for s in STAGES} | {"total": total_a * 1000},
            "b": {s: median_of(runs_b, s) * 1000 for s in STAGES} | {"total": total_b * 1000},
        },
        "ratio_b_over_a": total_b / total_a,
        "peak_rss_mb": {"a": peak_a, "b": peak_b},
        "peak_rss_over_start_mb": {"a": grow_a, "b": grow_b},
        "runs": {"a": [run_summary(r) for r in runs_a], "b": [run_summary(r) for r in runs_b]},
        "a_memory_run": run_summary(memory_a),
    }
    return text, data


def report_gallery(gallery: GalleryResult, megapixel_total: float) -> tuple[str, dict]:
    runs_a, runs_b = gallery.a, gallery.b
    count = len(runs_a)
    sum_a, sum_b = sum(r.total for r in runs_a), sum(r.total for r in runs_b)
    med_a = statistics.median(r.total for r in runs_a)
    med_b = statistics.median(r.total for r in runs_b)
    rows = [
        ["total, s", f"{sum_a:.1f}", f"{sum_b:.1f}", ratio(sum_b, sum_a)],
        ["per photo, median ms", ms(med_a), ms(med_b), ratio(med_b, med_a)],
        [
            "per photo, max ms",
            ms(max(r.total for r in runs_a)),
            ms(max(r.total for r in runs_b)),
            "",
        ],
    ]
    for stage in STAGES:
        a, b = median_of(runs_a, stage), median_of(runs_b, stage)
        rows.append([f"{stage}, median ms", ms(a), ms(b), ratio(b, a)])
    faces_a = Counter(r.faces for r in runs_a)
    faces_b = Counter(r.faces for r in runs_b)
    rows.append(
        ["faces found, total", sum(r.faces for r in runs_a), sum(r.faces for r in runs_b), ""]
    )
    rows.append(["faces per photo", per_photo(faces_a), per_photo(faces_b), ""])
    cnn = [(name, r) for name, r in zip(gallery.names, runs_b, strict=True) if r.cnn_seconds]
    cnn_text = f"{len(cnn)} ({sum(r.cnn_seconds for _, r in cnn):.1f} s)" if cnn else "0"
    rows.append(["CNN fallbacks", "-", cnn_text, ""])

    odd = [
        f"- {name}: A {a.faces}, B {b.faces}"
        + (f" (CNN fallback {b.cnn_seconds:.1f} s)" if b.cnn_seconds else "")
        for name, a, b in zip(gallery.names, runs_a, runs_b, strict=True)
        if a.faces != 1 or b.faces != 1
    ]
    lines = [
        f"## 2. Gallery: {count} photos, {megapixel_total:.1f} MP in all",
        "",
        table(["", "A: this pipeline", "B: original demo", "B/A"], rows),
        "",
        f"By the photo's long side. A reduces photos over {WORKING_SIZE} px to {WORKING_SIZE} px "
        "and upsamples as engine.faces.detect_boxes decides; B detects at full resolution with "
        "upsample 1:",
        "",
        table(
            ["long side", "photos", "A median ms", "B median ms", "B/A", "A total s", "B total s"],
            size_classes(runs_a, runs_b),
        ),
        "",
        f"Index (A): {len(gallery.index)} embeddings, {gallery.index.actor_count} actors; "
        f"means (B): {len(gallery.means)} actors. Match = every face found, top {TOP}.",
        "Photos where A or B does not find exactly one face:",
        *(odd or ["- none"]),
    ]
    data = {
        "photos": count,
        "megapixels": megapixel_total,
        "total_s": {"a": sum_a, "b": sum_b},
        "median_photo_ms": {"a": med_a * 1000, "b": med_b * 1000},
        "faces_per_photo": {"a": dict(faces_a), "b": dict(faces_b)},
        "cnn_fallbacks": [
            {"photo": n, "seconds": r.cnn_seconds, "faces": r.cnn_faces} for n, r in cnn
        ],
        "runs": [
            {"photo": n, "a": run_summary(a), "b": run_summary(b)}
            for n, a, b in zip(gallery.names, runs_a, runs_b, strict=True)
        ],
    }
    return "\n".join(lines), data


SIZE_CLASSES = (
    (f"under {WORKING_SIZE // 2} px", 0, WORKING_SIZE // 2),
    (f"{WORKING_SIZE // 2}-{WORKING_SIZE} px", WORKING_SIZE // 2, WORKING_SIZE + 1),
    (f"over {WORKING_SIZE} px", WORKING_SIZE + 1, 1 << 31),
)


def size_classes(runs_a: list[Run], runs_b: list[Run]) -> list[list]:
    rows = []
    for label, low, high in SIZE_CLASSES:
        pairs = [(a, b) for a, b in zip(runs_a, runs_b, strict=True) if low <= a.long_side < high]
        if not pairs:
            continue
        med_a = statistics.median(a.total for a, _ in pairs)
        med_b = statistics.median(b.total for _, b in pairs)
        rows.append(
            [
                label,
                len(pairs),
                ms(med_a),
                ms(med_b),
                ratio(med_b, med_a),
                f"{sum(a.total for a, _ in pairs):.1f}",
                f"{sum(b.total for _, b in pairs):.1f}",
            ]
        )
    return rows


def rss_growth(run: Run) -> float:
    return run.peak_mb - (run.base_mb or 0.0)


def per_photo(counter: Counter) -> str:
    return ", ".join(f"{faces}: {photos}" for faces, photos in sorted(counter.items()))


def compared(row: dict) -> str:
    return f"{row['photo']} ({row['working']} vs {row['full']}; A at {row['working_detail']})"


def report_coverage(rows: list[dict], expected: dict[str, int]) -> tuple[str, dict]:
    folders = {}
    for row in rows:
        folders.setdefault(row["photo"].split("/")[0], []).append(row)
    summary = []
    for folder, items in folders.items():
        fewer = sum(r["working"] < r["full"] for r in items)
        more = sum(r["working"] > r["full"] for r in items)
        summary.append(
            [
                folder,
                len(items),
                sum(r["working"] for r in items),
                sum(r["full"] for r in items),
                fewer,
                more,
            ]
        )
    misses = [r for r in rows if r["working"] < r["full"]]
    extra = [r for r in rows if r["working"] > r["full"]]

    detail = []
    for row in rows:
        if row["photo"].startswith("gallery/"):
            continue
        name = row["photo"].split("/", 1)[1]
        if row["cnn_seconds"] is not None:
            cnn = (
                f"{row['cnn_faces']} in {row['cnn_seconds']:.1f} s, "
                f"+{row['cnn_rss_growth_mb']:,.0f} MB"
            )
        elif row["cnn_skipped"]:
            cnn = "skipped (too large)"
        else:
            cnn = "-"
        detail.append(
            [
                row["photo"],
                f"{row['megapixels']:.2f}",
                expected.get(name, "-") if row["photo"].startswith("extras/") else "-",
                row["working"],
                row["full"],
                ms(row["full_hog_seconds"]),
                cnn,
            ]
        )
    lines = [
        f"## 3. Detection coverage: A at working resolution ({WORKING_SIZE} px) "
        "vs full-resolution HOG, upsample 1",
        "",
        table(
            ["folder", "photos", "faces, A", "faces, full res", "A finds fewer", "A finds more"],
            summary,
        ),
        "",
        "Photos where A finds fewer faces than full resolution: "
        + (", ".join(map(compared, misses)) or "none"),
        "Photos where A finds more: " + (", ".join(map(compared, extra)) or "none"),
    ]
    if detail:
        lines += [
            "",
            "extras/ and examples/ (expected counts from the photos' README; CNN fallback = B's, "
            "where full-resolution HOG finds nothing, with its peak RSS over the run's start):",
            "",
            table(
                ["photo", "MP", "expected", "A", "full res", "full-res HOG ms", "CNN fallback"],
                detail,
                right={1, 2, 3, 4, 5},
            ),
        ]
    return "\n".join(lines), {"folders": summary, "misses": misses, "more": extra, "rows": rows}


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    default_faces = os.environ.get("LOOKALIKE_FACES_DIR", str(REPO.parent / "shared" / "faces"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faces", type=Path, default=Path(default_faces), help="photo folder")
    parser.add_argument("--repeat", type=int, help="runs of the phone photo (default 5; quick 2)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 phone runs, 2 gallery photos per person, CNN fallback only up to 1 MP",
    )
    parser.add_argument("--skip-cnn", action="store_true", help="never run B's CNN fallback")
    parser.add_argument(
        "--cnn-max-mp",
        type=float,
        help="run B's CNN fallback only on photos up to this many megapixels "
        "(default 2.5; quick 1.0). It costs about a minute and 4 GB per megapixel.",
    )
    parser.add_argument("--skip-coverage", action="store_true", help="skip extras/ and examples/")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser.parse_args(argv)


def environment() -> dict:
    return {
        "date": datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "versions": {
            name: _version(name)
            for name in ("dlib-bin", "face_recognition", "numpy", "pillow", "annoy")
        },
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    faces_dir = args.faces
    if not (faces_dir / "gallery").is_dir():
        sys.exit(f"photos not found at {faces_dir} (use --faces or LOOKALIKE_FACES_DIR)")
    repeat = args.repeat or (2 if args.quick else 5)
    cnn_mp = args.cnn_max_mp if args.cnn_max_mp is not None else (1.0 if args.quick else 2.5)
    cnn_max_pixels = None if args.skip_cnn else int(cnn_mp * 1e6)
    env = environment()
    started = time.perf_counter()

    progress("warming up")
    warm_up(with_cnn=cnn_max_pixels is not None)

    with tempfile.TemporaryDirectory() as tmp:
        phone_path = make_phone_photo(faces_dir / PHONE_SOURCE, Path(tmp))
        phone_data = phone_path.read_bytes()
    phone_info = (
        f"{PHONE_SIZE[0]}x{PHONE_SIZE[1]} JPEG q{PHONE_QUALITY}, {len(phone_data) / 1e6:.1f} MB, "
        f"from {PHONE_SOURCE}"
    )
    people = gallery_photos(faces_dir, 2 if args.quick else None)
    photos = [photo for person_photos in people.values() for photo in person_photos]
    actors = [actor for actor, ps in enumerate(people.values()) for _ in ps]
    names = [str(photo.relative_to(faces_dir)) for photo in photos]

    # A's peak RSS is measured before anything runs at full resolution: dlib keeps a few
    # hundred MB after a full-resolution HOG pass, which would otherwise count towards it.
    phone_a_memory = run_a(phone_data)

    progress(f"gallery: {len(photos)} photos, A and B in turn")
    gallery_a, gallery_b = run_gallery(
        photos, run_a, lambda data: run_b(data, cnn_max_pixels=cnn_max_pixels)
    )
    index = build_index(gallery_a, actors)
    match_a = index_matcher(index)
    match_a(index.vectors[0])  # the first search pages the index in: keep it out of the timings
    means = actor_means(gallery_b, actors, len(people))
    match_b = means_matcher(means)
    match_b(means[0])
    add_match_times(gallery_a, match_a)
    add_match_times(gallery_b, match_b)
    gallery = GalleryResult(names, gallery_a, gallery_b, index, means)

    progress("phone photo, A and B in turn")
    phone_a, phone_b = run_alternately(
        phone_data,
        lambda data: run_a(data, match=match_a),
        lambda data: run_b(data, cnn_max_pixels=cnn_max_pixels, match=match_b),
        repeat,
    )
    phone = {"a": phone_a, "b": phone_b, "a_memory": phone_a_memory}
    gallery_mp = sum(megapixels(photo) for photo in photos)

    coverage_rows = [
        coverage_row(name, megapixels(faces_dir / name), a, b)
        for name, a, b in zip(gallery.names, gallery.a, gallery.b, strict=True)
    ]
    if not args.skip_coverage:
        for folder in ("extras", "examples"):
            progress(f"coverage: {folder}/")
            coverage_rows += coverage_workload(faces_dir / folder, faces_dir, cnn_max_pixels)

    elapsed = time.perf_counter() - started
    env["load_average_end"] = os.getloadavg()
    env["elapsed_s"] = elapsed
    phone_text, phone_data_out = report_phone(phone, phone_info, repeat)
    gallery_text, gallery_data = report_gallery(gallery, gallery_mp)
    coverage_text, coverage_data = report_coverage(coverage_rows, expected_counts(faces_dir))

    versions = env["versions"]
    cnn_note = "off" if cnn_max_pixels is None else f"on photos up to {cnn_mp:g} MP"
    print(
        "\n\n".join(
            [
                "# Face pipeline benchmark",
                f"{env['date']}; Python {env['python']}, {env['cpus']} CPUs, "
                f"dlib-bin {versions['dlib-bin']}, "
                f"face_recognition {versions['face_recognition']}; "
                f"load average {env['load_average'][0]:.1f} at start, "
                f"{env['load_average_end'][0]:.1f} at end; {elapsed / 60:.1f} min in all.\n"
                f"A = this pipeline; B = the original demo's approach (CNN fallback {cnn_note}). "
                "Total = decode + detect + encode + match; peak RSS is the whole process's.",
                phone_text,
                gallery_text,
                coverage_text,
            ]
        )
    )
    if args.json:
        payload = {
            "environment": env,
            "options": {
                "repeat": repeat,
                "quick": args.quick,
                "cnn_max_mp": cnn_mp if cnn_max_pixels else None,
            },
            "phone": phone_data_out,
            "gallery": gallery_data,
            "coverage": coverage_data,
        }
        args.json.write_text(json.dumps(payload, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
