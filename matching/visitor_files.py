"""A result's files, each for exactly those who may have it.

- Share and story pictures: whoever may see the result's page (they show the visitor's face
  only when the visitor chose so).
- Face crops and the kept photo: the owner; anyone else who may see the page only when the
  visitor chose to show their face (`Match.share_face`).

Cache headers follow the audience: share and story pictures of an unlisted result are public
and may be reused for LOOKALIKE_SHARE_PICTURE_MAX_AGE seconds (so a switch to private or a
deletion reaches browsers and shared caches within that time); everything else, and everything
of a private result, is private and revalidated on every use.

Everyone else gets the same 404 as for a token that does not exist, and so does everyone once a
result is deleted or expired. `?download=1` sends a picture as a file to save.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from common.stored_files import stored_file_response
from matching.models import Match, MatchFace
from matching.selectors import viewer_owns, visible_match_files


@require_safe
def match_face_file(request, token: str, position: int):
    match = _match_showing_face(request, token)
    face = get_object_or_404(MatchFace, match=match, position=position)
    return stored_file_response(request, face.crop.name, for_anyone=False)


@require_safe
def match_photo_file(request, token: str):
    """The kept photo (re-encoded, without EXIF): while the match runs, after a failure and for
    group photos; a one-face photo is deleted once matched."""
    match = _match_showing_face(request, token)
    return stored_file_response(request, match.photo.name, for_anyone=False)


@require_safe
def match_share_file(request, token: str):
    """Face 0's share picture, at the address results had before each face had its own."""
    return match_face_share_file(request, token, 0)


@require_safe
def match_face_share_file(request, token: str, position: int):
    # Social sites fetch this without cookies: it is there for them when the result is unlisted.
    match = visible_match_files(request, token)
    face = get_object_or_404(MatchFace, match=match, position=position)
    name = face.share_image.name or (match.share_image.name if position == 0 else "")
    return _picture(request, match, face, name, "")


@require_safe
def match_face_story_file(request, token: str, position: int):
    match = visible_match_files(request, token)
    face = get_object_or_404(MatchFace, match=match, position=position)
    return _picture(request, match, face, face.story_image.name, "-story")


def download_name(face: MatchFace, suffix: str = "") -> str:
    """`lookalike-<actor>.jpg`: what a saved share picture is called."""
    best = face.resemblances.order_by("rank").first()
    actor = slugify(best.actor_name) if best else ""
    return f"lookalike-{actor or 'result'}{suffix}.jpg"


def _picture(request, match: Match, face: MatchFace, name: str, suffix: str):
    wanted = request.GET.get("download") == "1"
    return stored_file_response(
        request,
        name,
        for_anyone=_for_anyone(match),
        max_age=settings.LOOKALIKE_SHARE_PICTURE_MAX_AGE,
        download_as=download_name(face, suffix) if wanted and name else "",
    )


def _match_showing_face(request, token: str) -> Match:
    match = visible_match_files(request, token)
    if not (match.share_face or viewer_owns(request, match)):
        raise Http404("No such result.")
    return match


def _for_anyone(match: Match) -> bool:
    return match.visibility == Match.Visibility.UNLISTED
