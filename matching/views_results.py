"""The results page's own actions for the visitor who made the upload."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.session_uploads import forget_upload
from matching.models import Match
from matching.selectors import viewer_owns
from matching.services import match_delete


@require_POST
def match_delete_anonymous(request, token: str):
    """The browser that made an upload without an account deletes it at once, without waiting
    for it to expire. Anyone else (another session, or a result with an account) gets 404."""
    match = get_object_or_404(Match, token=token, owner__isnull=True)
    if not viewer_owns(request, match):
        raise Http404("No such result.")
    deleted = match_delete(match)
    forget_upload(request, token)
    return render(request, "matching/deleted.html", {"what": _files_deleted(deleted)})


def _files_deleted(deleted) -> str:
    """What went with the result, e.g. "its photo, 3 face crops and its share picture"."""
    counted = [
        (deleted.photos, ngettext("its photo", "%(n)d photos", deleted.photos)),
        (deleted.face_crops, ngettext("%(n)d face crop", "%(n)d face crops", deleted.face_crops)),
        (
            deleted.share_images,
            ngettext("its share picture", "%(n)d share pictures", deleted.share_images),
        ),
    ]
    parts = [text % {"n": n} if "%(n)d" in text else text for n, text in counted if n]
    if len(parts) > 1:
        return f"{', '.join(parts[:-1])} and {parts[-1]}"
    return parts[0] if parts else ""
