"""Reads of visitors' feedback: what this visitor said on a result, and the ratings overall."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import MatchRating, VisitorReport


def visitor_feedback(match, face, visitor: str | None) -> tuple[set[int], dict[int, bool]]:
    """The reference photos this visitor has reported, and their ratings of this face's rows
    (rank -> good)."""
    if visitor is None or face is None:
        return set(), {}
    image_ids = face.resemblances.values("reference_image_id")
    reported = set(
        VisitorReport.objects.filter(visitor=visitor, image_id__in=image_ids).values_list(
            "image_id", flat=True
        )
    )
    ratings = dict(
        MatchRating.objects.filter(
            visitor=visitor, match=match, face_position=face.position
        ).values_list("rank", "good")
    )
    return reported, ratings


def rating_summary(*, worst: int = 10) -> dict:
    """Visitors' good/bad ratings: in all, by rank, and the actors most often rated bad."""
    counts = {
        "n_good": Count("id", filter=Q(good=True)),
        "n_bad": Count("id", filter=Q(good=False)),
    }
    totals = MatchRating.objects.aggregate(**counts)
    by_rank = MatchRating.objects.values("rank").annotate(**counts).order_by("rank")
    actors = (
        MatchRating.objects.values("actor_id", "actor_name")
        .annotate(**counts)
        .filter(n_bad__gt=0)
        .order_by("-n_bad", "n_good", "actor_name")[:worst]
    )

    def tally(row: dict) -> dict:
        good, bad = row.pop("n_good"), row.pop("n_bad")
        rated = good + bad
        return {
            **row,
            "good": good,
            "bad": bad,
            "total": rated,
            "good_percent": round(100 * good / rated) if rated else None,
        }

    return {
        **tally(dict(totals)),
        "by_rank": [tally(row) for row in by_rank],
        "worst_actors": [tally(row) for row in actors],
    }
