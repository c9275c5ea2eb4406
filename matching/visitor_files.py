"""A result's face crops and share picture, for exactly those who may see the result's page;
its kept photo for its owner.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from common.stored_files import stored_file_response
from matching.models import Match, MatchFace
from matching.selectors import viewer_owns, visible_match_files


@require_safe
def match_face_file(request, token: str, position: int):
    match = visible_match_files(request, token)
    face = get_object_or_404(MatchFace, match=match, position=position)
    return stored_file_response(request, face.crop.name, for_anyone=_for_anyone(match))


@require_safe
def match_share_file(request, token: str):
    # Social sites fetch this without cookies: it is there for them when the result is unlisted.
    match = visible_match_files(request, token)
    return stored_file_response(request, match.share_image.name, for_anyone=_for_anyone(match))


@require_safe
def match_photo_file(request, token: str):
    """The kept photo (re-encoded, without EXIF) to its owner, while the match runs or after it
    failed: the progress page shows it."""
    match = visible_match_files(request, token)
    if not match.photo or match.status == Match.Status.DONE or not viewer_owns(request, match):
        raise Http404("No such result.")
    return stored_file_response(request, match.photo.name, for_anyone=False)


def _for_anyone(match: Match) -> bool:
    return match.visibility == Match.Visibility.UNLISTED
