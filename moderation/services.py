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
                        actor_id=image.actor_id,
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


class DecisionRefused(Exception):
    """A decision that cannot be made as asked; its message says why, for the curator."""


# Audit actions that settle a flag, and so can be undone by reopening it.
RESOLUTIONS = ("confirm", "dismiss", "move", "exclude")


def _flag_state(flag: Flag | None) -> dict:
    return {"flag": flag.status} if flag is not None else {}


def _resolve(flag: Flag, user, status: str, action: str) -> tuple[Flag, AuditEntry | None]:
    with transaction.atomic():
        flag = Flag.objects.select_for_update().select_related("image__actor").get(pk=flag.pk)
        if flag.status != Flag.Status.OPEN:
            return flag, None
        image = ActorImage.objects.select_for_update().select_related("actor").get(pk=flag.image_id)
        before = {**_image_state(image), **_flag_state(flag)}
        _settle(flag, status, user)
        if status == Flag.Status.CONFIRMED:
            image_status = Status.EXCLUDED
        elif image.status == Status.FLAGGED:
            image_status = Status.ACTIVE  # a curator's flag held it out: it comes back
        else:
            image_status = image.status  # never brings back a photo excluded another way
        ActorImage.objects.filter(pk=image.pk).update(status=image_status)
        image.status = image_status
        flag.image = image
        entry = _audit(
            user,
            action,
            image=image,
            flag=flag,
            before=before,
            after={**_image_state(image), **_flag_state(flag)},
        )
    return flag, entry


def flag_confirm(flag: Flag, user) -> Flag:
    """Not this actor: the photo is excluded from the catalogue and the flag settled."""
    return flag_decide(flag, "confirm", user)[0]


def flag_dismiss(flag: Flag, user) -> Flag:
    """The photo is right: the flag is settled and a photo held out by a curator's flag comes
    back; a photo excluded by some other decision stays excluded."""
    return flag_decide(flag, "dismiss", user)[0]


def flag_decide(flag: Flag, decision: str, user) -> tuple[Flag, AuditEntry | None]:
    """Confirm or dismiss; with the audit entry to undo it by (None if it was settled already)."""
    status = {"confirm": Flag.Status.CONFIRMED, "dismiss": Flag.Status.DISMISSED}[decision]
    return _resolve(flag, user, status, decision)


def image_move(image: ActorImage, actor: Actor, user) -> ActorImage:
    """File the photo under the actor it really shows; its open flag is confirmed."""
    return image_move_audited(image, actor, user)[0]


def image_move_audited(
    image: ActorImage, actor: Actor, user
) -> tuple[ActorImage, AuditEntry | None]:
    with transaction.atomic():
        image = ActorImage.objects.select_for_update().select_related("actor").get(pk=image.pk)
        flag = Flag.objects.select_for_update().filter(image=image, status="open").first()
        if image.actor_id == actor.pk and flag is None:
            return image, None
        before = {**_image_state(image), **_flag_state(flag)}
        if flag is not None:
            _settle(flag, Flag.Status.CONFIRMED, user)
        image.actor, image.status = actor, Status.ACTIVE
        image.save(update_fields=["actor", "status"])
        entry = _audit(
            user,
            "move",
            image=image,
            flag=flag,
            before=before,
            after={**_image_state(image), **_flag_state(flag)},
        )
    return image, entry


def _settle(flag: Flag, status: str, user) -> None:
    """Record a flag's resolution (the caller holds its row locked)."""
    flag.status, flag.resolved_by, flag.resolved_at = status, user, timezone.now()
    flag.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])


def image_exclude(image: ActorImage, user) -> ActorImage:
    """Take the photo out of the catalogue; an open flag on it is settled as confirmed."""
    return image_exclude_audited(image, user)[0]


def image_exclude_audited(image: ActorImage, user) -> tuple[ActorImage, AuditEntry | None]:
    with transaction.atomic():
        image = ActorImage.objects.select_for_update().select_related("actor").get(pk=image.pk)
        flag = Flag.objects.select_for_update().filter(image=image, status="open").first()
        if image.status == Status.EXCLUDED and flag is None:
            return image, None
        before = {**_image_state(image), **_flag_state(flag)}
        if flag is not None:
            _settle(flag, Flag.Status.CONFIRMED, user)
        ActorImage.objects.filter(pk=image.pk).update(status=Status.EXCLUDED)
        image.status = Status.EXCLUDED
        entry = _audit(
            user,
            "exclude",
            image=image,
            flag=flag,
            before=before,
            after={**_image_state(image), **_flag_state(flag)},
        )
    return image, entry


def image_restore(image: ActorImage, user) -> ActorImage:
    """Bring an excluded photo back into the catalogue (from the next index build on)."""
    return image_restore_audited(image, user)[0]


def image_restore_audited(image: ActorImage, user) -> tuple[ActorImage, AuditEntry | None]:
    with transaction.atomic():
        image = ActorImage.objects.select_for_update().select_related("actor").get(pk=image.pk)
        if image.status != Status.EXCLUDED:
            return image, None
        before = _image_state(image)
        ActorImage.objects.filter(pk=image.pk).update(status=Status.ACTIVE)
        image.status = Status.ACTIVE
        entry = _audit(user, "restore", image=image, before=before, after=_image_state(image))
    return image, entry


def flag_reopen(flag: Flag, user) -> Flag:
    """Put a settled flag back in the queue. When the decision that settled it excluded, moved
    or brought back the photo, and nothing has changed the photo since, the photo gets back the
    state it had before that decision."""
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.status == Flag.Status.OPEN:
            return flag
        image = ActorImage.objects.select_for_update().select_related("actor").get(pk=flag.image_id)
        if Flag.objects.filter(image=image, status=Flag.Status.OPEN).exists():
            raise DecisionRefused(
                "This photo has another open flag in the queue: decide that one instead."
            )
        before = {**_image_state(image), **_flag_state(flag)}
        settled = (
            AuditEntry.objects.filter(flag=flag, action__in=RESOLUTIONS)
            .order_by("-created_at", "-id")
            .first()
        )
        now = _image_state(image)
        if settled is not None and all(
            now.get(key) == settled.after.get(key) for key in ("actor_id", "status")
        ):
            actor_id = settled.before.get("actor_id", image.actor_id)
            if actor_id != image.actor_id and Actor.objects.filter(pk=actor_id).exists():
                image.actor_id = actor_id
            image.status = settled.before.get("status", image.status)
            image.save(update_fields=["actor", "status"])
            image.refresh_from_db()
        flag.status, flag.resolved_by, flag.resolved_at = Flag.Status.OPEN, None, None
        flag.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
        _audit(
            user,
            "reopen",
            image=image,
            flag=flag,
            before=before,
            after={**_image_state(image), **_flag_state(flag)},
        )
    return flag


def decision_undo(entry: AuditEntry, user) -> str:
    """Reverse exactly the decision the audit entry records; says what was done."""
    if entry.action in RESOLUTIONS and entry.flag_id is not None:
        flag_reopen(entry.flag, user)
        return "The flag is open again and the photo as it was before."
    if entry.action == "exclude" and entry.image_id is not None:
        image_restore(entry.image, user)
        return "The photo is back in the catalogue."
    if entry.action == "restore" and entry.image_id is not None:
        image_exclude(entry.image, user)
        return "The photo is excluded again."
    raise DecisionRefused("This decision cannot be undone here.")


def flag_note(flag: Flag, user, text: str) -> Flag:
    """Add a curator's note to the flag, signed and dated; visitors' notes are never edited."""
    text = " ".join(text.split())
    if not text:
        raise DecisionRefused("The note is empty.")
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        line = f"{stamp} {user.username}: {text}"
        flag.curator_notes = f"{flag.curator_notes}\n{line}".strip()
        flag.save(update_fields=["curator_notes", "updated_at"])
        _audit(user, "note", image=flag.image, flag=flag, after={"note": text})
    return flag


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
