"""Time a harvest of faces from a film, on a film generated from the shared test photos.

The film (testkit/videos.py) is --seconds long at --size and 25 frames a second, H.264 with
libx264's default keyframe interval (10 s): 3-second close-up shots of nine people in turn, the
star (Scarlett Johansson, photos 2-5) in every third shot and once beside another person,
separated by shots without faces (a title card, a photo of dogs, an empty frame). Who is seen
when is known, so the faces kept can be checked.

For each sampling (the command's defaults, then a frame every --every seconds, by default the
spacing the defaults give a two-hour film, so that each frame read is reached by seeking):
  read     video_frames: seek and decode the sampled frames, find and encode their faces, crop
           them (face_engine/video.py); also timed without the faces, to split decoding out;
  choose   by_reference against the star's photo 1 (kept out of the film) and by_cluster, as
           for an actor with and without approved photos (face_engine/harvest.py);
  check    what photo_import does with each kept crop before storing it: find exactly one face
           and encode it (the database write is left out).
Reported: frames read per second, faces found, faces kept and how many of them are the star's,
and the time per minute of video (read + choose + check).

Run from the repository root:  .venv/bin/python bench/harvest_video.py [--seconds 60]
Photos are read from --faces, $LOOKALIKE_FACES_DIR, or ../shared/faces beside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from face_engine import faces as engine  # noqa: E402
from face_engine.harvest import by_cluster, by_reference  # noqa: E402
from face_engine.video import (  # noqa: E402
    Sampling,
    _container,
    _frames_at,
    _info,
    sample_times,
    video_frames,
    video_info,
)
from testkit.scans import PhotoScans  # noqa: E402
from testkit.videos import Shot, film_make  # noqa: E402

STAR = "Scarlett_Johansson"
CAST = {
    "Matt_Damon": (1, 2, 3, 4),
    "Jack_Dorsey": (1, 2, 3, 4),
    "Angelina_Jolie": (1, 2, 3, 5),
    "Leonardo_DiCaprio": (1, 2, 3, 4),
    "Mark_Zuckerberg": (1, 2, 3, 4),
    "Jennifer_Aniston": (1, 2, 3, 4),
    "Barack_Obama": (1, 2, 3, 4),
    "Katy_Perry": (1, 2, 4, 6),
}
STILLS = [Shot(3.0, caption="A GENERATED FILM"), Shot(3.0, still="extras/no_face_dogs.jpg")]


def photo(person: str, number: int) -> str:
    return f"gallery/{person}/{number}.jpg"


def shots_for(seconds: float) -> list[Shot]:
    """Title card, then: star, someone, someone, a shot without a face, star, ..."""
    shots = [STILLS[0]]
    cast = list(CAST.items())
    star_photos = [photo(STAR, n) for n in (2, 3, 4, 5)]
    number = 0
    while sum(s.seconds for s in shots) < seconds:
        slot = number % 4
        if slot == 0:
            star = star_photos[(number // 4) % len(star_photos)]
            if number // 4 == 2:  # once beside another person
                other, photos = cast[number % len(cast)]
                shots.append(Shot(3.0, (STAR, other), (star, photo(other, photos[0]))))
            else:
                shots.append(Shot(3.0, (STAR,), (star,)))
        elif slot == 3:
            shots.append(STILLS[1] if number % 8 == 3 else Shot(3.0))
        else:
            person, photos = cast[number % len(cast)]
            shots.append(Shot(3.0, (person,), (photo(person, photos[(number // 8) % 4]),)))
        number += 1
    return shots


def decode_only(path: Path, times: list[float]) -> float:
    started = time.perf_counter()
    with _container(path) as container:
        stream, info = _info(container, path)
        stream.thread_type = "AUTO"
        for _, frame in _frames_at(container, stream, times):
            frame.reformat(width=info.width, height=info.height, format="rgb24")
    return time.perf_counter() - started


def run(film, scans: PhotoScans, faces_dir: Path, name: str, sampling: Sampling) -> dict:
    info = video_info(film.path)
    times = sample_times(info.duration, sampling)
    decoding = decode_only(film.path, times)

    started = time.perf_counter()
    frames = list(video_frames(film.path, times))
    reading = time.perf_counter() - started
    faces = [face for frame in frames for face in frame.faces]

    reference = scans(faces_dir / photo(STAR, 1)).encoding[None, :]
    rows = {}
    for method, choose in (
        ("reference", lambda: by_reference(faces, reference)),
        ("cluster", lambda: by_cluster(faces)),
    ):
        started = time.perf_counter()
        choice = choose()
        choosing = time.perf_counter() - started
        started = time.perf_counter()
        passed = sum(len(engine.find_faces(c.face.crop).faces) == 1 for c in choice.faces)
        checking = time.perf_counter() - started
        star_shots = {film.shot_number(t) for t in times if STAR in film.people_at(t)}
        kept_shots = {film.shot_number(c.face.time) for c in choice.faces}
        total = reading + choosing + checking
        rows[method] = {
            "kept": len(choice.faces),
            "kept_star": sum(STAR in film.people_at(c.face.time) for c in choice.faces),
            "star_shots_read": len(star_shots),
            "star_shots_kept": len(kept_shots & star_shots),
            "crops_with_one_face": passed,
            "choose_s": round(choosing, 3),
            "check_s": round(checking, 2),
            "seconds_per_minute_of_video": round(total / (info.duration / 60), 2),
        }
    return {
        "sampling": name,
        "frames_read": len(frames),
        "faces_found": len(faces),
        "decode_s": round(decoding, 2),
        "read_s": round(reading, 2),
        "frames_per_second": round(len(frames) / reading, 1),
        "methods": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the film")
    parser.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT of the film")
    parser.add_argument(
        "--every", type=float, default=6.7, help="second sampling: every T s (a 2-hour film's)"
    )
    parser.add_argument("--faces", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=REPO / ".pytest_cache/d/photo-scans")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    faces_dir = args.faces or Path(
        os.environ.get("LOOKALIKE_FACES_DIR", REPO.parent / "shared" / "faces")
    )
    size = tuple(int(v) for v in args.size.split("x"))
    scans = PhotoScans(args.cache)
    engine.warm_up()

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        film = film_make(
            Path(folder) / "film.mp4", shots_for(args.seconds), faces_dir, scans, size=size, fps=25
        )
        made = time.perf_counter() - started
        results = {
            "date": datetime.now().isoformat(timespec="minutes"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "film": {
                "seconds": film.duration,
                "size": args.size,
                "fps": 25,
                "shots": len(film.shots),
                "star_shots": len(film.shots_of(STAR)),
                "bytes": film.path.stat().st_size,
                "made_s": round(made, 1),
            },
            "runs": [
                run(film, scans, faces_dir, "defaults", Sampling()),
                run(
                    film,
                    scans,
                    faces_dir,
                    f"every {args.every:g} s",
                    Sampling(every_seconds=args.every),
                ),
            ],
        }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
