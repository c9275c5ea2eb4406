"""For build_catalogue's tests: IMDb files naming people of the shared gallery, and a stand-in
for the Commons import at the one seam build_catalogue calls (moderation.catalogue.
commons_import calls actors.commons.commons_import, which is built on a sibling branch).

The stand-in files each actor's photos from the gallery folder of the same name, as a Commons
import would store them (origin, licence, credit, source page; pending on review), from the
photos' cached scans. Run as a program, it runs build_catalogue with the stand-in in place and
can hang at a chosen actor, for a test to kill it there:

    python -m testkit.commons_standin --hang-at "Madonna" --ready FILE -- --imdb-dir DIR ...
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

from testkit.imdb_files import credit, person, rating, title, write_imdb

# Three people with twelve gallery photos each, most popular first, and two who are not chosen
# with --top 3: a director and a less popular actor.
PEOPLE = [
    ("nm0000101", "Madonna", 1958, "actress", "tt0000101", 9.0, 50000, "Evita", 1996),
    ("nm0000102", "Elton John", 1947, "actor", "tt0000102", 8.0, 40000, "Rocketman", 2019),
    ("nm0000103", "Mindy Kaling", 1979, "actress", "tt0000103", 7.0, 30000, "Late Night", 2019),
    ("nm0000104", "Jerry Seinfeld", 1954, "actor", "tt0000104", 6.0, 100, "Bee Movie", 2007),
]


def write_people_imdb(folder: Path, *, gzipped: bool = True) -> dict:
    names, principals, ratings, titles = [], [], [], []
    for imdb_id, name, born, job, tconst, score, votes, film, year in PEOPLE:
        names.append(person(imdb_id, name, born, job, tconst))
        principals.append(credit(tconst, imdb_id, job))
        ratings.append(rating(tconst, score, votes))
        titles.append(title(tconst, film, year))
    names.append(person("nm0000105", "Dee Rector", 1940, "director", "tt0000101"))
    principals.append(credit("tt0000101", "nm0000105", "director", 2))
    return write_imdb(
        folder,
        names=names,
        principals=principals,
        ratings=ratings,
        titles=titles,
        gzipped=gzipped,
    )


@dataclass
class StandInImport:
    added: int = 0
    present: int = 0
    skipped: int = 0


@dataclass
class CommonsStandIn:
    gallery: Path  # faces/gallery: one folder per person, First_Last
    scans: object  # testkit.scans.PhotoScans
    extra: dict[str, list[Path]] = field(default_factory=dict)  # more photos, by actor name
    hang_at: str = ""  # the actor at which to stop forever, for a test to kill the process
    interrupt_at: str = ""  # the actor at which to raise KeyboardInterrupt, as Ctrl-C does
    ready: Path | None = None  # written just before hanging
    calls: list[list[str]] = field(default_factory=list)

    def commons_import(self, actors, per_actor, review):
        from actors.models import ActorImage
        from testkit.factories import ActorImageFactory

        self.calls.append([actor.name for actor in actors])
        outcome = StandInImport()
        for actor in actors:
            if actor.name == self.interrupt_at:
                raise KeyboardInterrupt
            if actor.name == self.hang_at:
                if self.ready is not None:
                    self.ready.write_text(actor.name)
                while True:
                    time.sleep(60)
            folder = self.gallery / actor.name.replace(" ", "_")
            photos = sorted(folder.iterdir(), key=lambda p: (len(p.name), p.name))[:per_actor]
            for path in photos + self.extra.get(actor.name, []):
                scan = self.scans(path)
                if ActorImage.objects.filter(sha256=scan.sha256).exists():
                    outcome.present += 1
                    continue
                ActorImageFactory(
                    actor=actor,
                    photo=path,
                    scan=scan,
                    source=f"https://upload.wikimedia.org/wikipedia/commons/{path.name}",
                    origin=ActorImage.Origin.COMMONS,
                    licence="CC BY-SA 4.0",
                    licence_url="https://creativecommons.org/licenses/by-sa/4.0/",
                    attribution="A Photographer",
                    source_page=f"https://commons.wikimedia.org/wiki/File:{path.name}",
                    status=ActorImage.Status.PENDING if review else ActorImage.Status.ACTIVE,
                )
                outcome.added += 1
        return outcome

    def as_module(self) -> types.ModuleType:
        """What `import actors.commons` finds while the stand-in is installed in sys.modules."""
        module = types.ModuleType("actors.commons", "stand-in for the Commons import")
        module.commons_import = lambda actors, per_actor, review: self.commons_import(
            actors, per_actor, review
        )
        return module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hang-at", default="")
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--batch", type=int, default=1, help="actors per Commons call")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lookalike_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from moderation import catalogue
    from testkit.scans import PhotoScans

    faces = Path(os.environ["LOOKALIKE_FACES_DIR"])
    standin = CommonsStandIn(
        gallery=faces / "gallery",
        scans=PhotoScans(Path(os.environ["PHOTO_SCANS_CACHE"])),
        hang_at=options.hang_at,
        ready=options.ready,
    )
    sys.modules["actors.commons"] = standin.as_module()
    catalogue.COMMONS_BATCH = options.batch
    arguments = options.command[1:] if options.command[:1] == ["--"] else options.command
    call_command("build_catalogue", *arguments)


if __name__ == "__main__":
    main()
