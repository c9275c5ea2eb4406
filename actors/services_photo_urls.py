"""Writes to the catalogue from photo addresses: a CSV list of licensed photos, and the
downloading pipeline the Commons import shares.

Downloads run in a few threads; the face work and every database write stay in the calling
thread, one photo at a time, so an interrupted run keeps what it finished and a second run
fetches only what is missing.
"""

from __future__ import annotations

import csv
import logging
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .downloads import DownloadFailed, HttpClient
from .models import Actor, ActorImage, SkippedPhoto
from .services import ImportReport, PhotoDetails, PhotoImport, photo_import, photo_skip

logger = logging.getLogger(__name__)

PHOTO_LIST_COLUMNS = ("url", "licence", "licence_url", "credit", "source_page")


@dataclass(frozen=True)
class PhotoAddress:
    """A photo to fetch and add to an actor: the actor itself, or a name to file it under."""

    url: str
    actor_name: str
    details: PhotoDetails
    actor: Actor | None = None


def address_known(url: str) -> bool:
    """Stored from this address before, or downloaded and judged unusable (no face, several
    faces, not an image): either way fetching it again cannot add anything. Failed downloads
    (no sha256) are tried again."""
    return (
        ActorImage.objects.filter(source=url).exists()
        or SkippedPhoto.objects.filter(source=url, sha256__isnull=False).exists()
    )


def photo_addresses_import(
    addresses: Iterable[PhotoAddress],
    *,
    client: HttpClient | None = None,
    threads: int | None = None,
    on_photo: Callable[[PhotoImport], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Fetch and add every address not seen before; every failure becomes a skipped photo."""
    client = client or HttpClient()
    threads = max(1, threads or settings.LOOKALIKE_DOWNLOAD_THREADS)
    report = report if report is not None else ImportReport()
    seen: set[str] = set()

    def finish(address: PhotoAddress, result: PhotoImport) -> None:
        report.record(result, address.actor_name)
        if on_photo:
            on_photo(result)

    def store(address: PhotoAddress, download: Future) -> None:
        try:
            data = download.result()
        except DownloadFailed as exc:
            result = photo_skip(None, address.url, address.actor_name, exc.reason)
        except Exception as exc:  # whatever a download does, the run goes on and says so
            logger.exception("downloading %s failed", address.url)
            reason = f"download failed ({type(exc).__name__})"
            result = photo_skip(None, address.url, address.actor_name, reason)
        else:
            result = photo_import(
                actor_name=address.actor_name,
                actor=address.actor,
                data=data,
                source=address.url,
                details=address.details,
            )
            if result.outcome != "skipped":  # a download that failed before has now worked
                SkippedPhoto.objects.filter(sha256__isnull=True, source=address.url).delete()
        finish(address, result)

    # Downloads run ahead in the threads, at most two per thread waiting (bytes do not pile up
    # while faces are found); photos are stored in the list's order, so which of two addresses
    # of the same bytes is kept, and with which credit, does not depend on network timing.
    window = 2 * threads
    pending: deque[tuple[Future, PhotoAddress]] = deque()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="download") as pool:
        try:
            for address in addresses:
                if address.url in seen or address_known(address.url):
                    finish(address, PhotoImport("present", address.url))
                    seen.add(address.url)
                    continue
                seen.add(address.url)
                pending.append((pool.submit(client.fetch, address.url), address))
                if len(pending) >= window:
                    download, oldest = pending.popleft()
                    store(oldest, download)
            while pending:
                download, oldest = pending.popleft()
                store(oldest, download)
        finally:
            for download, _ in pending:
                download.cancel()
    return report


class PhotoListError(ValueError):
    """A photo list that cannot be imported; every problem found, with its line."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def photo_list_read(path: Path, *, review: bool = False) -> list[PhotoAddress]:
    """Read and check a whole photo list before anything is fetched: columns `imdb_id` or
    `actor`, then url, licence, licence_url, credit, source_page. Rows naming an actor by IMDb
    id need that actor in the catalogue; rows naming one by name create it if it is new."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            rows = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as exc:
        raise PhotoListError(path, ["not a UTF-8 text file"]) from exc
    missing = [c for c in PHOTO_LIST_COLUMNS if c not in header]
    if "imdb_id" not in header and "actor" not in header:
        missing.insert(0, "imdb_id or actor")
    if missing:
        raise PhotoListError(path, [f"line 1: missing column(s) {', '.join(missing)}"])

    imdb_ids = {(row.get("imdb_id") or "").strip() for _, row in rows} - {""}
    actors = Actor.objects.in_bulk(imdb_ids, field_name="imdb_id")
    addresses, problems = [], []
    for line, row in rows:
        values = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        if not any(values.values()):
            continue
        address, problem = _photo_row(values, actors, review)
        if problem:
            problems.append(f"line {line}: {problem}")
        else:
            addresses.append(address)
    if problems:
        raise PhotoListError(path, problems)
    return addresses


_is_url = URLValidator(schemes=["http", "https"])


def _valid_url(value: str, limit: int) -> bool:
    try:
        _is_url(value)
    except ValidationError:
        return False
    return len(value) <= limit


def _photo_row(
    values: dict[str, str], actors: dict[str, Actor], review: bool
) -> tuple[PhotoAddress | None, str]:
    imdb_id, name = values.get("imdb_id", ""), values.get("actor", "")
    actor = None
    if imdb_id:
        actor = actors.get(imdb_id)
        if actor is None:
            return None, f"no actor with IMDb id {imdb_id!r} in the catalogue (import_imdb first)"
        name = actor.name
    elif not name:
        return None, "no imdb_id or actor"
    elif len(name) > Actor._meta.get_field("name").max_length:
        return None, "actor name too long"
    url = values["url"]
    if not _valid_url(url, ActorImage._meta.get_field("source").max_length):
        return None, f"url {url!r} is not an http(s) address"
    if not values["licence"]:
        return None, "no licence: a photo is shown only with the licence it may be shown under"
    if len(values["licence"]) > ActorImage._meta.get_field("licence").max_length:
        return None, "licence too long"
    for column in ("licence_url", "source_page"):
        limit = ActorImage._meta.get_field(column).max_length
        if values[column] and not _valid_url(values[column], limit):
            return None, f"{column} {values[column]!r} is not an http(s) address"
    details = PhotoDetails(
        origin=ActorImage.Origin.URL,
        attribution=values["credit"],
        licence=values["licence"],
        licence_url=values["licence_url"],
        source_page=values["source_page"],
        review=review,
    )
    return PhotoAddress(url=url, actor_name=name, actor=actor, details=details), ""
