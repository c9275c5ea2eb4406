"""Writes for visitors' feedback on a result: reports of mislabelled photos (once per visitor)
and good/bad ratings of a match (one per visitor and row, changeable)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from matching.models import Resemblance

from .models import Flag, MatchRating, VisitorReport
from .services import image_flag


@dataclass(frozen=True)
class ReportOutcome:
    reported: bool  # False: this visitor had already reported the photo
    flag: Flag | None


def photo_report(shown: Resemblance, *, visitor: str, note: str = "", user=None) -> ReportOutcome:
    """A visitor says the reference photo shown in this row is not of its actor. A second report
    of the same photo by the same visitor changes nothing."""
    image = shown.reference_image
    try:
        with transaction.atomic():
            report = VisitorReport.objects.create(image=image, visitor=visitor)
            flag = image_flag(image, source=Flag.Source.VISITOR, note=note, user=user)
            report.flag = flag
            report.save(update_fields=["flag"])
    except IntegrityError:
        if not VisitorReport.objects.filter(image=image, visitor=visitor).exists():
            raise
        return ReportOutcome(reported=False, flag=None)
    return ReportOutcome(reported=True, flag=flag)


def match_rate(shown: Resemblance, *, visitor: str, good: bool) -> MatchRating:
    """Record, or change, this visitor's verdict on one row of a result."""
    face = shown.face
    fields = {
        "actor_id": shown.actor_id,
        "actor_name": shown.actor_name,
        "reference_image_id": shown.reference_image_id,
        "similarity": shown.similarity,
        "good": good,
    }
    for _ in range(2):
        try:
            with transaction.atomic():
                rating, _created = MatchRating.objects.update_or_create(
                    match_id=face.match_id,
                    face_position=face.position,
                    rank=shown.rank,
                    visitor=visitor,
                    defaults=fields,
                )
                return rating
        except IntegrityError:  # two first ratings at once: the second one updates
            continue
    raise RuntimeError("could not record the rating")
