import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from actors.services import gallery_import, gallery_photos
from actors.signals import photos_added


class Command(BaseCommand):
    help = (
        "Import a folder of actor photos: one sub-folder per actor, named like Barack_Obama. "
        "Photos already imported are left alone; photos without exactly one face are recorded "
        "as skipped with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--attribution",
            default="",
            help="Credit for photos whose folder has no row in DIRECTORY/attribution.csv.",
        )

    def handle(self, directory: Path, attribution: str, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        total = len(gallery_photos(directory))
        with tqdm(
            total=total, unit="photo", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:
            report = gallery_import(
                directory, attribution=attribution, on_photo=lambda _: bar.update()
            )
        for skipped in report.skipped:
            self.stdout.write(f"skipped {skipped.source}: {skipped.reason}")
        if report.added:
            photos_added.send(sender=self.__class__, count=report.added)
        self.stdout.write(
            f"{report.added} photos added ({len(report.actors)} actors), "
            f"{len(report.skipped)} skipped, {report.present} already known, of {total} files."
        )
