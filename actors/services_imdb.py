"""Writes to the catalogue from the IMDb selection: create or update the chosen actors."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from .imdb import ImdbActor
from .models import Actor

UPDATED_FIELDS = ["name", "profession", "popularity", "birth_year", "known_for", "imdb_id"]


@dataclass
class ImdbImport:
    created: list[str] = field(default_factory=list)  # IMDb ids
    updated: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)  # folder imports that got their IMDb id


def _unique_slugs(names: list[str]) -> list[str]:
    """One free slug per name, checked against the catalogue's slugs (read once) and each other."""
    taken = set(Actor.objects.values_list("slug", flat=True).iterator()) if names else set()
    slugs = []
    for name in names:
        base = slugify(name)[:200] or "actor"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


@transaction.atomic
def actors_from_imdb_save(chosen: list[ImdbActor]) -> ImdbImport:
    """Create or update the chosen actors, all or nothing.

    An actor already in the catalogue is found by IMDb id first; one imported from a folder (no
    IMDb id yet) with exactly the same name, and no other actor of that name, gets the id. Running
    it again updates and adds nobody twice.
    """
    report = ImdbImport()
    by_id = Actor.objects.in_bulk([a.imdb_id for a in chosen], field_name="imdb_id")
    unlinked: dict[str, list[Actor]] = {}
    for actor in Actor.objects.filter(
        imdb_id__isnull=True, name__in=[a.name for a in chosen if a.imdb_id not in by_id]
    ):
        unlinked.setdefault(actor.name, []).append(actor)

    to_update, to_create = [], []
    for item in chosen:
        actor = by_id.get(item.imdb_id)
        if actor is None and len(unlinked.get(item.name, [])) == 1:
            actor = unlinked.pop(item.name)[0]
            report.linked.append(item.imdb_id)
        if actor is None:
            to_create.append(item)
            continue
        _fill(actor, item)
        to_update.append(actor)
        report.updated.append(item.imdb_id)
    Actor.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=1000)

    slugs = _unique_slugs([item.name for item in to_create])
    new = []
    for item, slug in zip(to_create, slugs, strict=True):
        actor = Actor(slug=slug)
        _fill(actor, item)
        new.append(actor)
    Actor.objects.bulk_create(new, batch_size=1000)
    report.created = [item.imdb_id for item in to_create]
    return report


def _fill(actor: Actor, item: ImdbActor) -> None:
    actor.imdb_id = item.imdb_id
    actor.name = item.name
    actor.profession = item.profession
    actor.popularity = item.popularity
    actor.birth_year = item.birth_year
    actor.known_for = [title.as_dict() for title in item.known_for]
