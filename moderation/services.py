"""Writes for curation: flags raised and resolved, photos moved or excluded, all audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from actors.models import Actor, ActorImage

from .models import AuditEntry, Flag

Status = ActorImage.Status


def _image_state(image: ActorImage) -> dict:
    return {"actor": image.actor.name, "actor_id": image.actor_id, "status": image.status}


def _audit(user, action: str, *, image=None, flag=None, before=None, after=None) -> AuditEntry:
    return AuditEntry.objects.create(
        user=user,
        username=getattr(user, "username", "") or "automatic check",
        action=action,
        image=image,
        flag=flag,
        before=before or {},
        after=after or {},
    )


def image_flag(
    image: ActorImage,
    *,
    source: str,
    reason: str = "not this actor",
    note: str = "",
    user=None,
    score: float | None = None,
) -> Flag:
    """Raise a flag, or add this report to the image's open flag.

    A curator's flag holds the photo out of the next index build (status flagged); reports from
    visitors and the automatic check wait for a curator, so nobody can hide a photo alone.
    """
    for _ in range(2):
        try:
            with transaction.atomic():
                flag = Flag.objects.select_for_update().filter(image=image, status="open").first()
                if flag is None:
                    flag = Flag.objects.create(
                        image=image,
                        source=source,
                        reason=reason,
                        notes=note,
                        raised_by=user,
                        score=score,
                    )
                else:
                    flag.reports += 1
                    if note:
                        flag.notes = f"{flag.notes}\n{note}".strip()
                    if score is not None:
                        flag.score = max(flag.score or score, score)
                    flag.save(update_fields=["reports", "notes", "score", "updated_at"])
                if source == Flag.Source.CURATOR and image.status == Status.ACTIVE:
                    before = _image_state(image)
                    ActorImage.objects.filter(pk=image.pk).update(status=Status.FLAGGED)
                    image.status = Status.FLAGGED
                    _audit(
                        user,
                        "flag",
                        image=image,
                        flag=flag,
                        before=before,
                        after=_image_state(image),
                    )
                return flag
        except IntegrityError:
            continue  # another report opened the flag at the same moment: add to it
    raise RuntimeError("could not record the flag")


def _resolve(flag: Flag, user, status: str, image_status: str, action: str) -> Flag:
    with transaction.atomic():
        flag = Flag.objects.select_for_update().select_related("image__actor").get(pk=flag.pk)
        if flag.status != Flag.Status.OPEN:
            return flag
        image = flag.image
        before = {**_image_state(image), "flag": flag.status}
        flag.status, flag.resolved_by, flag.resolved_at = status, user, timezone.now()
        flag.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
        ActorImage.objects.filter(pk=image.pk).update(status=image_status)
        image.status = image_status
        _audit(
            user,
            action,
            image=image,
            flag=flag,
            before=before,
            after={**_image_state(image), "flag": flag.status},
        )
    return flag


def flag_confirm(flag: Flag, user) -> Flag:
    """The photo is not of this actor: it is excluded from the catalogue."""
    return _resolve(flag, user, Flag.Status.CONFIRMED, Status.EXCLUDED, "confirm")


def flag_dismiss(flag: Flag, user) -> Flag:
    """The photo is fine: it stays (or comes back) in the catalogue."""
    return _resolve(flag, user, Flag.Status.DISMISSED, Status.ACTIVE, "dismiss")


def image_move(image: ActorImage, actor: Actor, user) -> ActorImage:
    """File the photo under the actor it really shows; open flags on it are confirmed."""
    with transaction.atomic():
        image = ActorImage.objects.select_for_update().select_related("actor").get(pk=image.pk)
        before = _image_state(image)
        now = timezone.now()
        Flag.objects.filter(image=image, status=Flag.Status.OPEN).update(
            status=Flag.Status.CONFIRMED, resolved_by=user, resolved_at=now
        )
        image.actor, image.status = actor, Status.ACTIVE
        image.save(update_fields=["actor", "status"])
        _audit(user, "move", image=image, before=before, after=_image_state(image))
    return image


def image_exclude(image: ActorImage, user) -> ActorImage:
    """Take the photo out of the catalogue without a flag."""
    with transaction.atomic():
        image = ActorImage.objects.select_for_update().select_related("actor").get(pk=image.pk)
        if image.status == Status.EXCLUDED:
            return image
        before = _image_state(image)
        ActorImage.objects.filter(pk=image.pk).update(status=Status.EXCLUDED)
        image.status = Status.EXCLUDED
        _audit(user, "exclude", image=image, before=before, after=_image_state(image))
    return image


def suspects_flag() -> list[tuple[Flag, object]]:
    """Open automatic flags on the clearest outliers; (flag, suspect) pairs, worst first.

    A photo with an open flag, or whose automatic flag a curator dismissed, is not raised again.
    """
    from .suspects import suspects_find

    settled = set(
        Flag.objects.filter(status=Flag.Status.OPEN).values_list("image_id", flat=True)
    ) | set(
        Flag.objects.filter(status=Flag.Status.DISMISSED, source=Flag.Source.AUTOMATIC).values_list(
            "image_id", flat=True
        )
    )
    opened = []
    for suspect in suspects_find():
        if suspect.image.pk in settled:
            continue
        nearer = f"; nearer to {suspect.other_actor.name}" if suspect.other_actor else ""
        flag = image_flag(
            suspect.image,
            source=Flag.Source.AUTOMATIC,
            reason=f"far from the actor's other photos{nearer}",
            score=round(suspect.score, 4),
        )
        opened.append((flag, suspect))
    return opened
