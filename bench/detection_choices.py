"""Measure the engine's detection choices against dlib's HOG at full resolution.

For every photo of the shared test folders (gallery/, extras/, examples/, gallery-crops/ and
crowd/) and for a 12 MP phone photo built at run time, each choice finds faces from the photo's
bytes; the reference is HOG with one upsampling on the full-resolution photo, as the coverage
tables of docs/benchmarks.md have always compared. For each choice: faces it misses or adds
against the reference, the drift of each face's embedding (Euclidean distance between the
choice's encoding and the reference's, for faces whose boxes overlap), and detection CPU time.

Choices:
  before   the engine until the two-pass detection: JPEGs decoded at no less than 1024 px
           (no draft slack), HOG with one upsampling (small photos: two, where one finds none)
  single   the working copy with draft slack, HOG on RGB without upsampling only
  engine   the engine's `detect_boxes`: on the luminance, a first pass on a copy reduced to
           FIRST_PASS_SCALE, then the pass with one upsampling where it finds no face or a face
           under CLOSE_FACE px (small photos: as before)
  engine-N the same with CLOSE_FACE = N (--close-faces)
  rgb      the engine's two passes on the RGB pixels, the first at working size (as the engine
           had it before it looked at the luminance and reduced its first pass)
  rgb-3/4  the same, the first pass on a copy reduced to 3/4
  grey     the engine's two passes on the luminance, the first at working size
(small photos, under half the working size, are searched as the engine does in every choice
but `before` and `full`)

Then the phone photo end to end in the engine (decode, detection, encoding, top-3 search on an
index of the gallery), CPU time per stage, median of --repeat, for `before` and `engine`; and
"bystanders": the phone photo with three gallery faces pasted small in its background, the
case the skipped second pass gives up (faces under HOG_SMALLEST_FACE px at working size beside
a close face).

Run from the repository root:
  OPENBLAS_NUM_THREADS=1 taskset -c 1 .venv/bin/python bench/detection_choices.py [--json FILE]
  (--crowd-per-person N for a quicker run; the whole crowd takes about 5 minutes.)
Photos are read from --faces, $LOOKALIKE_FACES_DIR, or ../shared/faces beside the repository.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from pipeline import (  # noqa: E402
    decode_full,
    environment,
    expected_counts,
    make_phone_photo,
    photos_in,
    progress,
    table,
)

from face_engine import faces as engine  # noqa: E402
from face_engine.images import LoadedImage, load_image  # noqa: E402
from face_engine.index import FaceIndex  # noqa: E402

FOLDERS = ("gallery", "extras", "examples", "gallery-crops", "crowd")
SAME_FACE_IOU = 0.3


@dataclass
class Found:
    boxes: list  # in original-photo coordinates
    detect_ms: float
    second_pass: bool = False
    pixels: np.ndarray | None = None  # what the encodings are computed on
    working_boxes: list = field(default_factory=list)


def cpu_ms(function, *arguments, **keywords):
    start = time.process_time()
    result = function(*arguments, **keywords)
    return result, (time.process_time() - start) * 1000


def found_full(data: bytes) -> Found:
    pixels = decode_full(data)
    boxes, spent = cpu_ms(engine._face_recognition().face_locations, pixels, 1, "hog")
    boxes = [tuple(int(v) for v in b) for b in boxes]
    return Found(boxes, spent, pixels=pixels, working_boxes=boxes)


def found_by(data: bytes, choice: str) -> Found:
    if choice == "before":
        image = load_image(data, draft_slack=1.0)
        boxes, spent = cpu_ms(_before, image)
        second = False
    elif choice in VARIANTS:
        image = load_image(data)
        (boxes, second), spent = cpu_ms(_variant, image, *VARIANTS[choice])
        boxes = [tuple(int(v) for v in b) for b in boxes]
    else:
        image = load_image(data)
        if choice == "single" and not engine.is_small(image):
            boxes, spent = cpu_ms(engine.detect_boxes, image, upsample=0)
            second = False
        else:
            close = int(choice.split("-")[1]) if "-" in choice else engine.CLOSE_FACE
            boxes, spent = cpu_ms(engine.detect_boxes, image, close_face=close)
            second = _second_pass_ran(image, close)
    return Found(
        [engine.to_original(image, b) for b in boxes],
        spent,
        second_pass=second,
        pixels=image.pixels,
        working_boxes=boxes,
    )


VARIANTS = {"rgb": (False, 1.0), "rgb-3/4": (False, 0.75), "grey": (True, 1.0)}


def _variant(image: LoadedImage, grey: bool, first_scale: float) -> tuple[list, bool]:
    """The engine's two passes, on the luminance and/or with the first pass on a reduced copy."""
    locate = engine._face_recognition().face_locations
    if engine.is_small(image):  # as the engine does it
        return engine.detect_boxes(image), False
    pixels = np.asarray(Image.fromarray(image.pixels).convert("L")) if grey else image.pixels
    first = pixels
    if first_scale != 1:
        height, width = pixels.shape[:2]
        size = (round(width * first_scale), round(height * first_scale))
        first = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))
    boxes = [tuple(round(v / first_scale) for v in b) for b in locate(first, 0, "hog")]
    if engine.needs_double_size(boxes):
        return locate(pixels, 1, "hog"), True
    return boxes, False


def _before(image: LoadedImage) -> list:
    locate = engine._face_recognition().face_locations
    boxes = locate(image.pixels, 1, "hog")
    if not boxes and engine.is_small(image):
        boxes = locate(image.pixels, 2, "hog")
    return [tuple(int(v) for v in b) for b in boxes]


def _second_pass_ran(image: LoadedImage, close: int) -> bool:
    if engine.is_small(image):
        return False
    luminance = Image.fromarray(image.pixels).convert("L")
    return engine.needs_double_size(engine.first_pass(luminance), close)


def iou(a, b) -> float:
    top, right, bottom, left = max(a[0], b[0]), min(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])
    inter = max(0, right - left) * max(0, bottom - top)

    def area(box):
        return (box[2] - box[0]) * (box[1] - box[3])

    union = area(a) + area(b) - inter
    return inter / union if union else 0.0


class Encoder:
    """Encodings, computed once per (pixels, box); identical pixels and box give drift 0."""

    def __init__(self):
        self.spent_ms = 0.0
        self.references: dict[tuple[int, int], np.ndarray] = {}

    def encode(self, found: Found, index: int) -> np.ndarray:
        image = LoadedImage(found.pixels, found.pixels.shape[1::-1], None)
        start = time.process_time()
        encoding = engine.encode_boxes(image, [found.working_boxes[index]])[0]
        self.spent_ms += (time.process_time() - start) * 1000
        return encoding

    def drifts(self, reference: Found, found: Found) -> list[float]:
        out = []
        for i, box in enumerate(found.boxes):
            scores = [iou(box, r) for r in reference.boxes]
            if not scores or max(scores) < SAME_FACE_IOU:
                continue
            j = int(np.argmax(scores))
            same_pixels = found.pixels.shape == reference.pixels.shape and np.array_equal(
                found.pixels, reference.pixels
            )
            if same_pixels and found.working_boxes[i] == reference.working_boxes[j]:
                out.append(0.0)
                continue
            key = (id(reference), j)
            if key not in self.references:
                self.references[key] = self.encode(reference, j)
            a, b = self.encode(found, i), self.references[key]
            out.append(float(np.linalg.norm(a.astype(np.float64) - b)))
        return out


@dataclass
class Tally:
    photos: int = 0
    faces: int = 0
    fewer: int = 0
    more: int = 0
    missed: int = 0  # faces the reference has and the choice lacks, summed
    second_passes: int = 0
    detect_ms: list = field(default_factory=list)
    drifts: list = field(default_factory=list)
    misses: list = field(default_factory=list)

    def add(self, name: str, reference: Found, found: Found, drifts: list[float]) -> None:
        self.photos += 1
        self.faces += len(found.boxes)
        diff = len(found.boxes) - len(reference.boxes)
        self.fewer += diff < 0
        self.more += diff > 0
        self.missed += max(0, -diff)
        self.second_passes += found.second_pass
        self.detect_ms.append(found.detect_ms)
        self.drifts.extend(drifts)
        if diff:
            self.misses.append(f"{name}: {len(found.boxes)} vs {len(reference.boxes)}")


def run_folders(faces_dir: Path, choices: list[str], crowd_per_person: int | None) -> dict:
    encoder = Encoder()
    results: dict[str, dict[str, Tally]] = {}
    for folder in FOLDERS:
        photos = folder_photos(faces_dir / folder, crowd_per_person if folder == "crowd" else None)
        progress(f"{folder}: {len(photos)} photos")
        tallies = {"full": Tally(), **{c: Tally() for c in choices}}
        for photo in photos:
            encoder.references.clear()  # keyed by id(): no entry may outlive its photo
            data = photo.read_bytes()
            reference = found_full(data)
            tallies["full"].add(photo.name, reference, reference, [])
            for choice in choices:
                found = found_by(data, choice)
                name = str(photo.relative_to(faces_dir))
                tallies[choice].add(name, reference, found, encoder.drifts(reference, found))
        results[folder] = tallies
        print(report({folder: tallies}, choices)[0] + "\n", flush=True)
    return results


def folder_photos(folder: Path, per_person: int | None) -> list[Path]:
    photos = photos_in(folder)
    if per_person is None:
        return photos
    kept, seen = [], {}
    for photo in photos:
        person = photo.parent.name
        seen[person] = seen.get(person, 0) + 1
        if seen[person] <= per_person:
            kept.append(photo)
    return kept


# --- the phone photo, end to end ---------------------------------------------------------------


def gallery_index(faces_dir: Path) -> FaceIndex:
    vectors, items, actors = [], [], []
    for actor, person in enumerate(sorted((faces_dir / "gallery").iterdir())):
        for photo in photos_in(person):
            scan = engine.find_faces(photo.read_bytes(), max_faces=1)
            if scan.faces:
                vectors.append(scan.faces[0].encoding)
                items.append(len(items))
                actors.append(actor)
    return FaceIndex.build(np.array(vectors), items, actors)


def engine_stages(data: bytes, choice: str, index: FaceIndex) -> dict[str, float]:
    slack = 1.0 if choice == "before" else None
    image, decode = cpu_ms(load_image, data, **({"draft_slack": slack} if slack else {}))
    if choice in VARIANTS:
        (boxes, _), detect = cpu_ms(_variant, image, *VARIANTS[choice])
    else:
        boxes, detect = cpu_ms(_before if choice == "before" else engine.detect_boxes, image)
    encodings, encode = cpu_ms(engine.encode_boxes, image, boxes)
    _, search = cpu_ms(lambda: [index.search(e, top=3) for e in encodings])
    return {
        "decode": decode,
        "detect": detect,
        "encode": encode,
        "search": search,
        "total": decode + detect + encode + search,
        "faces": len(boxes),
        "working": max(image.working_size),
    }


def phone_run(phone: bytes, index: FaceIndex, repeat: int) -> dict[str, dict[str, float]]:
    runs = {"before": [], "engine": [], **{name: [] for name in VARIANTS}}
    for _ in range(repeat):
        for choice in runs:  # in turn, so both meet the same changes in the machine's load
            runs[choice].append(engine_stages(phone, choice, index))
    return {c: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for c, rs in runs.items()}


def bystanders_photo(phone_path: Path, faces_dir: Path) -> bytes:
    """The phone photo with three gallery faces pasted into its top corners and left edge at
    about 33-43 px of face at the working size: people far behind the one taking a selfie."""
    picture = Image.open(phone_path).convert("RGB")
    width, height = picture.size
    sources = [
        faces_dir / "gallery" / "Barack_Obama" / "1.jpg",
        faces_dir / "gallery" / "Katy_Perry" / "1.jpg",
        faces_dir / "gallery" / "Matt_Damon" / "1.jpg",
    ]
    spots = [(0.03, 0.03), (0.75, 0.03), (0.03, 0.55)]
    for source, (x, y), face_px in zip(sources, spots, (130, 145, 160), strict=True):
        scan = engine.find_faces(source.read_bytes(), max_faces=1)
        top, right, bottom, left = scan.faces[0].box
        with Image.open(source) as original:
            person = original.convert("RGB")
        scale = face_px / (bottom - top)
        person = person.resize((round(person.width * scale), round(person.height * scale)))
        picture.paste(person, (round(x * width), round(y * height)))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


# --- report -------------------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def drift_text(drifts: list[float]) -> str:
    if not drifts:
        return "-"
    ordered = sorted(drifts)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{statistics.median(ordered):.3f} / {p95:.3f} / {ordered[-1]:.3f}"


def report(results: dict, choices: list[str]) -> tuple[str, dict]:
    rows, figures = [], {}
    for folder, tallies in results.items():
        ref = tallies["full"]
        for choice in ["full", *choices]:
            t = tallies[choice]
            detect = sum(t.detect_ms)
            rows.append(
                [
                    folder,
                    choice,
                    str(t.photos),
                    str(t.faces),
                    str(t.fewer),
                    str(t.more),
                    str(t.second_passes)
                    if choice.startswith("engine") or choice in VARIANTS
                    else "-",
                    fmt(statistics.median(t.detect_ms)) if t.detect_ms else "-",
                    fmt(detect / 1000, 2),
                    fmt(detect / (sum(ref.detect_ms) or 1), 3),
                    drift_text(t.drifts) if choice != "full" else "-",
                ]
            )
            figures[f"{folder}/{choice}"] = {
                "photos": t.photos,
                "faces": t.faces,
                "fewer": t.fewer,
                "more": t.more,
                "missed_faces": t.missed,
                "second_passes": t.second_passes,
                "detect_ms_median": statistics.median(t.detect_ms) if t.detect_ms else None,
                "detect_s_total": detect / 1000,
                "drift": sorted(t.drifts),
                "differences": t.misses,
            }
    headers = [
        "folder",
        "choice",
        "photos",
        "faces",
        "fewer",
        "more",
        "2nd passes",
        "detect median ms",
        "detect total s",
        "vs full",
        "drift median / p95 / max",
    ]
    text = table(headers, rows, right=set(range(2, 10)))
    differences = [
        f"- {folder}/{choice}: "
        + "; ".join(t.misses[:5])
        + (f"; and {len(t.misses) - 5} more" if len(t.misses) > 5 else "")
        for folder, tallies in results.items()
        for choice, t in tallies.items()
        if t.misses and choice != "full"
    ]
    return text + ("\n\nDifferences:\n" + "\n".join(differences) if differences else ""), figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    default_faces = os.environ.get("LOOKALIKE_FACES_DIR") or str(REPO.parent / "shared" / "faces")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faces", type=Path, default=Path(default_faces), help="photo folder")
    parser.add_argument("--repeat", type=int, default=7, help="runs of the phone photo")
    parser.add_argument("--close-faces", type=int, nargs="*", default=[240])
    parser.add_argument("--crowd-per-person", type=int, help="only the first N crowd crops each")
    parser.add_argument("--skip-folders", action="store_true", help="the phone photo only")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    faces_dir = args.faces
    engine.warm_up()
    started = time.time()
    load = os.getloadavg()
    out: dict = {"environment": environment(), "load_at_start": load}
    with tempfile.TemporaryDirectory() as scratch:
        phone_path = make_phone_photo(
            faces_dir / "extras/very_large_4600px_clooney.jpg", Path(scratch)
        )
        phone = phone_path.read_bytes()
        progress("gallery index")
        index = gallery_index(faces_dir)
        engine_stages(phone, "engine", index)  # warm caches
        phone_figures = phone_run(phone, index, args.repeat)
        crowded = bystanders_photo(phone_path, faces_dir)
        reference = found_full(crowded)
        bystanders = {
            choice: sorted(engine.box_side(b) for b in found_by(crowded, choice).working_boxes)
            for choice in ["before", "single", "engine", *VARIANTS]
        }
        bystanders["full"] = sorted(engine.box_side(b) for b in reference.boxes)
    out["phone"] = phone_figures
    out["bystanders"] = bystanders
    print("## The 12 MP phone photo, engine CPU ms (median of", args.repeat, "runs)\n")
    stages = ["decode", "detect", "encode", "search", "total"]
    print(
        table(
            ["choice", *stages, "working px", "faces"],
            [
                [c, *(fmt(f[s]) for s in stages), str(int(f["working"])), str(int(f["faces"]))]
                for c, f in phone_figures.items()
            ],
            right=set(range(1, 8)),
        )
    )
    print("\nBystanders: the photo has 4 faces; side of each face found, working-size px")
    print("(full resolution: full-size px)")
    for choice, sides in bystanders.items():
        print(f"- {choice}: {len(sides)} faces {sides}")
    print()
    if not args.skip_folders:
        choices = [
            "before",
            "single",
            "engine",
            *VARIANTS,
            *(f"engine-{n}" for n in args.close_faces),
        ]
        results = run_folders(faces_dir, choices, args.crowd_per_person)
        text, figures = report(results, choices)
        print("## Coverage against HOG (upsample 1) at full resolution\n")
        print(text)
        out["folders"] = figures
        out["expected"] = expected_counts(faces_dir)
    out["load_at_end"] = os.getloadavg()
    out["seconds"] = time.time() - started
    print(
        f"\nload average {load[0]:.2f} at start, {out['load_at_end'][0]:.2f} at end; "
        f"{out['seconds']:.0f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
