"""Time the photo-address import (actors/services_photo_urls.py) against a loopback server that
answers each photo after a delay standing in for a distant server, with 1 and more download
threads: what the threads save while the face work and database writes stay in one thread.

The gallery's photos (shared test photos, gallery/) are served by testkit/web.py; each run
starts from an empty catalogue in a throwaway SQLite database, so every photo is downloaded,
decoded, searched for its face, encoded and stored.

Run from the repository root:  .venv/bin/python bench/photo_urls.py [--latency 0.3]
    [--threads 1,4] [--photos 40] [--json FILE]
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faces", type=Path, default=None)
    parser.add_argument("--photos", type=int, default=40, help="gallery photos served")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds before each answer")
    parser.add_argument("--threads", default="1,4", help="download threads to compare")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    faces = args.faces or Path(
        os.environ.get("LOOKALIKE_FACES_DIR", REPO.parent / "shared" / "faces")
    )
    photos = sorted((faces / "gallery").glob("*/*.jpg"))[: args.photos]

    work = Path(tempfile.mkdtemp(prefix="bench-photo-urls-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(work / "media"),
        DJANGO_SECRET_KEY="bench-only",
        DJANGO_SETTINGS_MODULE="lookalike_site.settings",
        LOOKALIKE_VAR_DIR=str(work / "var"),
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from actors.models import Actor, ActorImage, SkippedPhoto
    from actors.services import PhotoDetails
    from actors.services_photo_urls import PhotoAddress, photo_addresses_import
    from face_engine.faces import warm_up
    from testkit.web import Answer, FakeWeb

    call_command("migrate", verbosity=0)
    warm_up()
    web = FakeWeb()
    addresses = [
        PhotoAddress(
            url=web.route(f"/{path.parent.name}/{path.name}", Answer(body=path.read_bytes())),
            actor_name=Actor.name_from_folder(path.parent.name),
            details=PhotoDetails(licence="CC BY 4.0", attribution="bench"),
        )
        for path in photos
    ]
    results = []
    for latency in (0.0, args.latency):
        for path in photos:
            body = path.read_bytes()
            web.route(f"/{path.parent.name}/{path.name}", Answer(body=body, delay=latency))
        for threads in [int(t) for t in args.threads.split(",")]:
            ActorImage.objects.all().delete()
            SkippedPhoto.objects.all().delete()
            started = time.perf_counter()
            report = photo_addresses_import(addresses, threads=threads)
            seconds = time.perf_counter() - started
            row = {
                "latency_s": latency,
                "threads": threads,
                "photos": len(addresses),
                "added": report.added,
                "skipped": len(report.skipped),
                "seconds": round(seconds, 2),
                "photos_per_s": round(len(addresses) / seconds, 2),
            }
            results.append(row)
            print(json.dumps(row))
    web.close()
    summary = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_average": os.getloadavg()[0],
        "results": results,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
