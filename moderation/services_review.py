"""Writes for the review of new photos: pending photos approved or rejected, all audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from actors.models import ActorImage

from .models import AuditEntry

Status = ActorImage.Status
DECISIONS = {"approve": Status.ACTIVE, "reject": Status.REJECTED}


def pending_decide(image_ids: Iterable[int], decision: str, user) -> list[int]:
    """Approve (matched against from the next index build on) or reject pending photos.

    Returns the ids decided by this call. A photo that is no longer pending (another curator
    decided it first, or it was removed) is left as it is, so a decision sent twice, or by two
    curators at once, is recorded once. A rejected photo stays in the catalogue's records,
    never matched against, so an import does not bring it back.
    """
    status = DECISIONS[decision]
    now = timezone.now()
    with transaction.atomic():
        images = list(
            ActorImage.objects.select_for_update(of=("self",))
            .select_related("actor")
            .filter(pk__in=list(image_ids), status=Status.PENDING)
            .order_by("pk")
        )
        ActorImage.objects.filter(pk__in=[image.pk for image in images]).update(
            status=status, reviewed_by=user.get_username(), reviewed_at=now
        )
        AuditEntry.objects.bulk_create(
            AuditEntry(
                user=user,
                username=user.get_username(),
                action=decision,
                image=image,
                before=_state(image, Status.PENDING),
                after=_state(image, status),
            )
            for image in images
        )
    return [image.pk for image in images]


def _state(image: ActorImage, status: str) -> dict:
    # As the other curation entries record a photo (moderation.services._image_state).
    return {"actor": image.actor.name, "actor_id": image.actor_id, "status": str(status)}
