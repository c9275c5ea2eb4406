"""The results page's own actions for the visitor who made the upload."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
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
    return render(request, "matching/deleted.html", {"what": deleted.describe()})
