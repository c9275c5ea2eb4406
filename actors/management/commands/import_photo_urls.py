import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from actors.services_photo_urls import PhotoListError, photo_addresses_import, photo_list_read
from actors.signals import photos_added


class Command(BaseCommand):
    help = (
        "Download and import the photos listed in a CSV file (columns imdb_id or actor, url, "
        "licence, licence_url, credit, source_page). Addresses already imported are not "
        "fetched again; every failure is recorded as a skipped photo with its reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV photo list")
        parser.add_argument(
            "--review", action="store_true", help="new photos wait for a curator's approval"
        )

    def handle(self, file: Path, review: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            addresses = photo_list_read(file, review=review)
        except PhotoListError as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(
            total=len(addresses), unit="photo", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:
            report = photo_addresses_import(addresses, on_photo=lambda _: bar.update())
        for skipped in report.skipped:
            self.stdout.write(f"skipped {skipped.source}: {skipped.reason}")
        if report.added and not review:
            photos_added.send(sender=self.__class__, count=report.added)
        pending = " (pending review)" if review else ""
        self.stdout.write(
            f"{report.added} photos added{pending} ({len(report.actors)} actors), "
            f"{len(report.skipped)} skipped, {report.present} already known, "
            f"of {len(addresses)} addresses."
        )
