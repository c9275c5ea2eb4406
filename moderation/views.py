from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.http import too_many_requests
from common.throttles import FlagThrottle, throttled_wait
from common.visitor import visitor_key
from matching.models import Resemblance
from matching.selectors import visible_match
from moderation.services_visitors import match_rate, photo_report

REPORTED = "Reported, thanks — a curator will check it."
ALREADY_REPORTED = "You already reported this photo."
RATED = {True: "Thanks: marked as a good match.", False: "Thanks: marked as a bad match."}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _face_position(request) -> int | None:
    try:
        return int(request.POST.get("face", ""))
    except ValueError:
        return None


def _back_to_row(request, match, shown: Resemblance):
    """The result's page, on the face and filter the visitor was looking at, at the row."""
    query = f"?face={shown.face.position}"
    who = request.POST.get("who", "")
    if who in ("actor", "actress"):
        query += f"&who={who}"
    return redirect(f"{match.get_absolute_url()}{query}#match-{shown.rank}")


@require_POST
def report_photo(request, token: str, image_id: int):
    """A visitor says a reference photo shown on their result is not of that actor; each visitor
    reports a photo once."""
    match = visible_match(request, token)
    rows = Resemblance.objects.filter(
        face__match=match, reference_image_id=image_id
    ).select_related("reference_image", "face")
    position = _face_position(request)
    shown = rows.filter(face__position=position).first() or rows.order_by("face__position").first()
    if shown is None:  # only photos this result showed can be reported from it
        raise Http404("No such photo on this result.")
    wait = throttled_wait(request, [FlagThrottle])
    if wait:
        if _wants_json(request):
            message = "Too many reports from here: please try again later."
            return JsonResponse({"reported": False, "message": message}, status=429)
        return too_many_requests(request, wait)
    outcome = photo_report(
        shown,
        visitor=visitor_key(request, create=True),
        note=(request.POST.get("note") or "").strip()[:500],
        user=request.user if request.user.is_authenticated else None,
    )
    message = REPORTED if outcome.reported else ALREADY_REPORTED
    if _wants_json(request):
        return JsonResponse({"reported": outcome.reported, "message": message})
    if not outcome.reported:
        messages.info(request, message)
    return _back_to_row(request, match, shown)


@require_POST
def rate_match(request, token: str):
    """A visitor says whether one actor shown for one face is a good or a bad match; saying it
    again changes their rating."""
    match = visible_match(request, token)
    verdict = request.POST.get("verdict")
    try:
        rank = int(request.POST.get("rank", ""))
    except ValueError:
        rank = None
    shown = (
        Resemblance.objects.filter(
            face__match=match, face__position=_face_position(request), rank=rank
        )
        .select_related("face")
        .first()
    )
    if shown is None:
        raise Http404("No such match on this result.")
    if verdict not in ("good", "bad"):
        return JsonResponse({"message": "Say good or bad."}, status=400)
    match_rate(shown, visitor=visitor_key(request, create=True), good=verdict == "good")
    if _wants_json(request):
        return JsonResponse({"rating": verdict, "message": RATED[verdict == "good"]})
    return _back_to_row(request, match, shown)
