import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from actors.services_harvest import ActorNotFound, Film, actor_find, video_harvest
from face_engine.errors import FaceEngineError
from face_engine.video import Sampling, sample_times, video_info

FIRST_FILM_YEAR = 1870


class Command(BaseCommand):
    help = (
        "Take an actor's faces from a film: read frames at regular intervals (or at random with "
        "--seed), keep the faces near the actor's approved photos (or, for an actor without "
        "any, the person seen most often), and store each as a crop, pending review. By default "
        "the first and last 5% (opening and end credits) are skipped and about 1000 frames are "
        "read, at most one every half second."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the video (any format ffmpeg reads)")
        parser.add_argument("--actor", required=True, help="the actor's name or IMDb id")
        parser.add_argument("--title", default="", help="the film's title (default: its metadata)")
        parser.add_argument("--year", type=int, help="the film's year")
        parser.add_argument(
            "--skip-seconds", type=float, help="seconds skipped at the start (opening credits)"
        )
        spacing = parser.add_mutually_exclusive_group()
        spacing.add_argument("--every-seconds", type=float, help="read a frame every T seconds")
        spacing.add_argument("--frames", type=int, help="read N frames, evenly spread")
        parser.add_argument(
            "--seed", type=int, help="read the frames at random times instead, drawn with this seed"
        )
        parser.add_argument("--max-faces", type=int, help="keep at most M faces, the nearest")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, file: Path, actor: str, title: str, year, max_faces, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        if year is not None and not FIRST_FILM_YEAR <= year <= date.today().year + 5:
            raise CommandError(f"--year {year} is not a film's year.")
        if max_faces is not None and max_faces < 1:
            raise CommandError("--max-faces must be at least 1.")
        try:
            chosen = actor_find(actor)
        except ActorNotFound as exc:
            raise CommandError(str(exc)) from exc
        sampling = Sampling(
            skip_seconds=options["skip_seconds"],
            every_seconds=options["every_seconds"],
            frames=options["frames"],
            seed=options["seed"],
        )
        try:
            info = video_info(file)
            times = sample_times(info.duration, sampling)
        except (FaceEngineError, ValueError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc

        film = Film(title=title.strip() or info.title, year=year)
        show_bar = sys.stderr.isatty()
        with tqdm(total=len(times), unit="frame", disable=not show_bar, file=sys.stderr) as bar:
            try:
                harvest = video_harvest(
                    file,
                    chosen,
                    times=times,
                    film=film,
                    max_faces=max_faces,
                    on_frame=lambda _: bar.update(),
                )
            except FaceEngineError as exc:
                raise CommandError(exc.message) from exc
        if options["json"]:
            self._write_json(harvest)
        else:
            self._write_text(harvest, file, film)

    def _write_json(self, harvest):
        for face in harvest.kept:
            line = {
                "image": face.image_id,
                "actor": harvest.actor.name,
                "time": face.time,
                "distance": round(face.distance, 4),
            }
            self.stdout.write(json.dumps(line))
        summary = {
            "frames_read": harvest.frames_read,
            "faces_found": harvest.faces_found,
            "faces_kept": len(harvest.kept),
            "added": harvest.count("added"),
            "already_stored": harvest.count("present"),
            "skipped": harvest.count("skipped"),
            "method": harvest.method,
        }
        if harvest.note:
            summary["note"] = f"Nothing kept: {harvest.note}."
        self.stdout.write(json.dumps(summary))

    def _write_text(self, harvest, file: Path, film: Film):
        for face in harvest.faces:
            if face.outcome == "skipped":
                self.stdout.write(f"skipped the face at {face.time:g} s: {face.reason}")
        how = (
            "near their approved photos"
            if harvest.method == "reference"
            else "the person seen most often: no approved photo of them yet"
        )
        name = f"{film.title} ({film.year})" if film.title and film.year else film.title
        self.stdout.write(
            f"{harvest.frames_read} frames read from {name or file.name}, "
            f"{harvest.faces_found} faces found, {len(harvest.kept)} kept as "
            f"{harvest.actor.name} ({how}): {harvest.count('added')} added, "
            f"{harvest.count('present')} already stored, {harvest.count('skipped')} skipped."
        )
        if harvest.note:
            self.stdout.write(f"Nothing kept: {harvest.note}.")
        elif harvest.count("added"):
            self.stdout.write("The faces added wait for a curator's review.")
