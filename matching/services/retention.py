"""Deleting visitors' data: their matches, on request or when anonymous uploads expire.

Rows go in one transaction together with a to-do list of their files (StoredFileDeletion);
the files are removed once that transaction has committed, and whatever storage could not
delete then stays on the list for the periodic task to retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from matching.models import Match, MatchFace, StoredFileDeletion

log = logging.getLogger(__name__)


@dataclass
class Deleted:
    results: int = 0
    photos: int = 0
    face_crops: int = 0
    share_images: int = 0

    def describe(self) -> str:
        """ "1 result, 2 photos and 1 share picture": what was deleted, leaving out what none
        was; "no results" when nothing was."""
        counts = [
            (self.results, "%(count)d result", "%(count)d results"),
            (self.photos, "%(count)d photo", "%(count)d photos"),
            (self.face_crops, "%(count)d face crop", "%(count)d face crops"),
            (self.share_images, "%(count)d share picture", "%(count)d share pictures"),
        ]
        parts = [ngettext(one, many, n) % {"count": n} for n, one, many in counts if n]
        if not parts:
            return gettext("no results")
        if len(parts) == 1:
            return parts[0]
        return gettext("%(items)s and %(last)s") % {
            "items": ", ".join(parts[:-1]),
            "last": parts[-1],
        }


def _tally(matches: list[Match]) -> tuple[Deleted, list[str]]:
    tally, names = Deleted(results=len(matches)), []
    for match in matches:
        tally.photos += bool(match.photo)
        faces = match.faces.all()
        tally.face_crops += sum(1 for face in faces if face.crop)
        pictures = sum(bool(face.share_image) + bool(face.story_image) for face in faces)
        # Older matches have one share picture, on the match itself.
        tally.share_images += pictures or bool(match.share_image)
        names += match.file_names_to_delete()
    return tally, names


def schedule_file_deletion(names: list[str]) -> None:
    """List files for deletion in the current transaction; they go once it commits."""
    StoredFileDeletion.objects.bulk_create(
        [StoredFileDeletion(name=name) for name in names], ignore_conflicts=True
    )
    transaction.on_commit(lambda: stored_files_delete(names))


def matches_delete(matches: QuerySet[Match]) -> Deleted:
    """Delete matches with their faces, results and stored files, all or nothing."""
    with transaction.atomic():
        rows = list(matches.select_for_update().prefetch_related("faces"))
        tally, names = _tally(rows)
        schedule_file_deletion(names)
        Match.objects.filter(pk__in=[m.pk for m in rows]).delete()
    return tally


def match_delete(match: Match) -> Deleted:
    return matches_delete(Match.objects.filter(pk=match.pk))


def matches_expire(now=None) -> int:
    """Scrub anonymous matches past their expiry date; their page then says they expired."""
    now = now or timezone.now()
    expired = 0
    due = Match.objects.filter(expires_at__lte=now, expired_at__isnull=True, owner__isnull=True)
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            match = (
                Match.objects.select_for_update()
                .filter(pk=pk, expired_at__isnull=True, owner__isnull=True)
                .prefetch_related("faces")
                .first()
            )
            if match is None:
                continue
            schedule_file_deletion(match.file_names_to_delete())
            MatchFace.objects.filter(match=match).delete()
            Match.objects.filter(pk=pk).update(
                expired_at=now, photo="", share_image="", faces_found=0
            )
            expired += 1
    return expired


def stored_files_delete(names: list[str] | None = None) -> int:
    """Remove listed files from storage; a file already gone counts as removed."""
    pending = StoredFileDeletion.objects.all()
    if names is not None:
        pending = pending.filter(name__in=names)
    removed = 0
    for item in pending.order_by("id")[:5000]:
        try:
            default_storage.delete(item.name)
        except OSError:
            log.warning("could not delete %s from storage; will retry", item.name)
            StoredFileDeletion.objects.filter(pk=item.pk).update(attempts=F("attempts") + 1)
            continue
        item.delete()
        removed += 1
    return removed


def expiry_for(owner):
    """When an upload expires: never for an account's, after the retention days otherwise."""
    if owner is not None:
        return None
    return timezone.now() + timedelta(days=settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS)


def match_set_visibility(match: Match, visibility: str) -> Match:
    if visibility not in Match.Visibility.values:
        raise ValueError(f"unknown visibility {visibility!r}")
    Match.objects.filter(pk=match.pk).update(visibility=visibility)
    match.visibility = visibility
    return match


def matches_claim(user, tokens: list[str]) -> int:
    """Give a new account the uploads its browser session made before signing up."""
    if not tokens:
        return 0
    return Match.objects.filter(
        token__in=tokens, owner__isnull=True, expired_at__isnull=True
    ).update(owner=user, expires_at=None)
