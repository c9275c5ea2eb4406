"""Writes to the catalogue from Wikimedia Commons: for each actor with an IMDb id, the freely
licensed photos of their Wikidata item (P18), with credit, licence and file page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from .downloads import DownloadFailed, HttpClient
from .models import Actor, ActorImage
from .services import ImportReport, PhotoDetails, PhotoImport, photo_skip
from .services_photo_urls import PhotoAddress, photo_addresses_import
from .wikimedia import ACCEPTED_LICENCES, CommonsFile, Wikimedia

LICENCE_LENGTH = ActorImage._meta.get_field("licence").max_length
URL_LENGTH = ActorImage._meta.get_field("source").max_length


@dataclass
class ActorOutcome:
    actor: Actor
    photos: ImportReport = field(default_factory=ImportReport)
    problem: str = ""  # why nothing could be looked at: no Wikidata item, no image, no answer
    answered: bool = True  # False when Wikimedia did not answer: asking again later may work


@dataclass
class CommonsImport:
    actors: list[ActorOutcome] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(a.photos.added for a in self.actors)

    @property
    def present(self) -> int:
        return sum(a.photos.present for a in self.actors)

    @property
    def skipped(self) -> list[PhotoImport]:
        return [s for a in self.actors for s in a.photos.skipped]

    @property
    def problems(self) -> list[ActorOutcome]:
        return [a for a in self.actors if a.problem]

    def summary(self) -> str:
        return (
            f"{len(self.actors)} actors looked up ({len(self.problems)} without photos to "
            f"fetch): {self.added} photos added, {len(self.skipped)} skipped, "
            f"{self.present} already known."
        )


def commons_actors(limit: int | None = None) -> QuerySet[Actor]:
    """Actors with an IMDb id, most popular first."""
    actors = Actor.objects.filter(imdb_id__isnull=False).order_by("-popularity", "id")
    return actors[:limit] if limit else actors


def commons_import(
    actors: Iterable[Actor],
    *,
    per_actor: int,
    review: bool = False,
    client: HttpClient | None = None,
    on_actor: Callable[[ActorOutcome], None] | None = None,
) -> CommonsImport:
    """Up to `per_actor` Commons photos for each actor, counting those already stored."""
    client = client or HttpClient()
    wikimedia = Wikimedia(client)
    report = CommonsImport()
    for actor in actors:
        outcome = ActorOutcome(actor)
        wanted = per_actor - actor.images.filter(origin=ActorImage.Origin.COMMONS).count()
        if wanted > 0:
            try:
                addresses = _actor_addresses(wikimedia, actor, wanted, review, outcome)
            except DownloadFailed as exc:
                outcome.problem = f"Wikimedia did not answer: {exc.reason}"
                outcome.answered = False
            except (KeyError, TypeError, AttributeError, IndexError):
                outcome.problem = "Wikimedia gave an answer of an unexpected shape"
            else:
                photo_addresses_import(addresses, client=client, report=outcome.photos)
        report.actors.append(outcome)
        if on_actor:
            on_actor(outcome)
    return report


def _actor_addresses(
    wikimedia: Wikimedia, actor: Actor, wanted: int, review: bool, outcome: ActorOutcome
) -> list[PhotoAddress]:
    item = wikimedia.item_for_imdb_id(actor.imdb_id)
    names = wikimedia.item_images(item, actor.imdb_id) if item else None
    if names is None:
        outcome.problem = f"no Wikidata item with IMDb id {actor.imdb_id}"
        return []
    if not names:
        outcome.problem = f"Wikidata item {item} has no image"
        return []
    addresses = []
    for commons_file in wikimedia.files(names):
        if len(addresses) == wanted:
            break
        if ActorImage.objects.filter(source_page=commons_file.page_url, actor=actor).exists():
            continue  # stored before, perhaps as another thumbnail size
        refusal = _refusal(commons_file)
        if refusal:
            outcome.photos.record(
                photo_skip(None, commons_file.page_url or commons_file.title, actor.name, refusal),
                actor.name,
            )
            continue
        addresses.append(
            PhotoAddress(
                url=commons_file.image_url,
                actor=actor,
                actor_name=actor.name,
                details=PhotoDetails(
                    origin=ActorImage.Origin.COMMONS,
                    attribution=commons_file.attribution,
                    licence=commons_file.licence,
                    licence_url=commons_file.licence_url,
                    source_page=commons_file.page_url,
                    review=review,
                ),
            )
        )
    return addresses


def _refusal(commons_file: CommonsFile) -> str:
    if not commons_file.free:
        licence = commons_file.licence or "no licence given"
        return f"licence not accepted: {licence} (accepted: {ACCEPTED_LICENCES})"
    if len(commons_file.licence) > LICENCE_LENGTH:
        return "licence name too long to keep"
    if max(len(commons_file.image_url), len(commons_file.page_url)) > URL_LENGTH:
        return "address too long to keep"
    return ""
