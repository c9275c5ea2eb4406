"""A result's face crops and share picture, for exactly those who may see the result's page.

The stored photo has no page showing it, so no address serves it at all.
"""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from common.stored_files import stored_file_response
from matching.models import Match, MatchFace
from matching.selectors import visible_match_files


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


def _for_anyone(match: Match) -> bool:
    return match.visibility == Match.Visibility.UNLISTED
