"""The catalogue's state at a glance, for the dataset health page."""

from __future__ import annotations

from statistics import median

from django.conf import settings
from django.db.models import Count, Q

from actors.models import Actor, ActorImage
from matching.models import Resemblance
from matching.selectors_index import next_build_changes

from .models import Flag
from .selectors_balance import catalogue_balance


def dataset_health() -> dict:
    active = Q(images__status=ActorImage.Status.ACTIVE)
    actors = list(Actor.objects.annotate(active_images=Count("images", filter=active)))
    per_actor = [a.active_images for a in actors]
    minimum = settings.LOOKALIKE_MIN_PHOTOS_PER_ACTOR
    total_active = sum(per_actor)
    statuses = dict(
        ActorImage.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    professions = dict(
        Actor.objects.values_list("profession")
        .annotate(n=Count("id"))
        .values_list("profession", "n")
    )
    return {
        "actors": len(actors),
        "images": statuses,
        "per_actor": {
            "min": min(per_actor, default=0),
            "median": median(per_actor) if per_actor else 0,
            "max": max(per_actor, default=0),
        },
        "minimum": minimum,
        "below_minimum": sorted(
            (a for a in actors if a.active_images < minimum), key=lambda a: a.active_images
        ),
        "open_flags": Flag.objects.filter(status=Flag.Status.OPEN).count(),
        "professions": {
            "actor": professions.get(Actor.Profession.ACTOR, 0),
            "actress": professions.get(Actor.Profession.ACTRESS, 0),
            "unknown": professions.get("", 0),
        },
        "hubs": hub_actors(actors, total_active),
        "pending": statuses.get(ActorImage.Status.PENDING, 0),
        "next_build": next_build_changes(),
        "balance": catalogue_balance(per_actor, minimum),
    }


# Fewer top matches than this say nothing either way.
HUB_MIN_TOP_MATCHES = 5


def hub_actors(actors, total_active: int, limit: int = 15) -> list[dict]:
    """Actors returned as the top match far more often than their share of the catalogue's
    photos would have them: faces land on them whoever the visitor is."""
    tops = dict(
        Resemblance.objects.filter(rank=1, actor__isnull=False)
        .values_list("actor_id")
        .annotate(n=Count("id"))
        .values_list("actor_id", "n")
    )
    results = sum(tops.values())
    if not results or not total_active:
        return []
    rows = []
    for actor in actors:
        share = actor.active_images / total_active
        observed = tops.get(actor.pk, 0) / results
        if tops.get(actor.pk, 0) < HUB_MIN_TOP_MATCHES:
            continue
        if share == 0 or observed / share >= 2:
            rows.append(
                {
                    "actor": actor,
                    "top_matches": tops.get(actor.pk, 0),
                    "observed": observed,
                    "expected": share,
                    "ratio": observed / share if share else None,
                }
            )
    rows.sort(key=lambda r: -(r["ratio"] or float("inf")))
    return rows[:limit]
