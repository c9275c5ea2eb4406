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
    good, bad = Q(good=True), Q(good=False)
    totals = MatchRating.objects.aggregate(
        good=Count("id", filter=good), bad=Count("id", filter=bad)
    )
    by_rank = list(
        MatchRating.objects.values("rank")
        .annotate(good=Count("id", filter=good), bad=Count("id", filter=bad))
        .order_by("rank")
    )
    actors = list(
        MatchRating.objects.values("actor_id", "actor_name")
        .annotate(good=Count("id", filter=good), bad=Count("id", filter=bad))
        .filter(bad__gt=0)
        .order_by("-bad", "good", "actor_name")[:worst]
    )
    total = totals["good"] + totals["bad"]
    for row in [totals, *by_rank, *actors]:
        rated = row["good"] + row["bad"]
        row["good_percent"] = round(100 * row["good"] / rated) if rated else None
    return {"total": total, **totals, "by_rank": by_rank, "worst_actors": actors}
