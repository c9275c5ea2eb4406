"""The catalogue's balance, for the dataset health page: who is in it and where the photos come
from, so that a skew (the original demo warned that its actors were mostly young, white and
American) shows in numbers before it shows in visitors' results."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from actors.models import Actor, ActorImage

# Upper ends of the photos-per-actor histogram's bars; the minimum is always an edge too.
HISTOGRAM_EDGES = (0, 1, 2, 3, 4, 5, 10, 20, 50)

ACTIVE, PENDING = ActorImage.Status.ACTIVE, ActorImage.Status.PENDING


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    below_minimum: bool = False


@dataclass(frozen=True)
class DecadeRow:
    label: str  # "1970s", or "unknown"
    actors: int
    actresses: int
    not_set: int

    @property
    def total(self) -> int:
        return self.actors + self.actresses + self.not_set


@dataclass(frozen=True)
class SourceRow:
    label: str
    active: int
    pending: int


def photos_per_actor_histogram(per_actor: list[int], minimum: int) -> list[Bar]:
    """Actors counted by how many active photos they have: one bar per count up to 5, then
    ranges (5-9, 10-19, 20-49, 50 and more), the minimum starting a bar of its own."""
    starts = sorted(set(HISTOGRAM_EDGES) | {minimum})
    bars = []
    for n, start in enumerate(starts):
        end = starts[n + 1] - 1 if n + 1 < len(starts) else None
        if end is None:
            label, count = f"{start} or more", sum(1 for v in per_actor if v >= start)
        else:
            label = str(start) if end == start else f"{start} to {end}"
            count = sum(1 for v in per_actor if start <= v <= end)
        bars.append(Bar(label=label, count=count, below_minimum=start < minimum))
    return bars


def actors_by_decade() -> list[DecadeRow]:
    """Actors by decade of birth, oldest first, split by profession; unknown years last."""
    counts: dict[int | None, dict[str, int]] = {}
    rows = Actor.objects.values_list("birth_year", "profession").annotate(n=Count("id"))
    for year, profession, n in rows.values_list("birth_year", "profession", "n"):
        decade = None if year is None else year // 10 * 10
        by_profession = counts.setdefault(decade, {})
        by_profession[profession] = by_profession.get(profession, 0) + n
    ordered = sorted(counts, key=lambda d: (d is None, d or 0))
    return [
        DecadeRow(
            label="unknown" if decade is None else f"{decade}s",
            actors=counts[decade].get(Actor.Profession.ACTOR, 0),
            actresses=counts[decade].get(Actor.Profession.ACTRESS, 0),
            not_set=counts[decade].get("", 0),
        )
        for decade in ordered
    ]


def photos_by(field_name: str, labels: dict[str, str] | None = None) -> list[SourceRow]:
    """Active and pending photos by a field's value (origin, licence), most active first."""
    rows = (
        ActorImage.objects.filter(status__in=[ACTIVE, PENDING])
        .values_list(field_name)
        .annotate(
            active=Count("id", filter=Q(status=ACTIVE)),
            pending=Count("id", filter=Q(status=PENDING)),
        )
        .values_list(field_name, "active", "pending")
    )
    result = [
        SourceRow(label=(labels or {}).get(value, value) or "none recorded", active=a, pending=p)
        for value, a, p in rows
    ]
    return sorted(result, key=lambda r: (-r.active, -r.pending, r.label))


def catalogue_balance(per_actor: list[int], minimum: int) -> dict:
    histogram = photos_per_actor_histogram(per_actor, minimum)
    decades = actors_by_decade()
    return {
        "histogram": histogram,
        "histogram_max": max((bar.count for bar in histogram), default=0) or 1,
        "decades": decades,
        "professions": DecadeRow(  # every decade together: the actors by profession
            label="all",
            actors=sum(row.actors for row in decades),
            actresses=sum(row.actresses for row in decades),
            not_set=sum(row.not_set for row in decades),
        ),
        "origins": photos_by("origin", dict(ActorImage.Origin.choices)),
        "licences": photos_by("licence"),
    }
