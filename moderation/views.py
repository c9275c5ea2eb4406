from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.http import too_many_requests
from common.throttles import FlagThrottle, throttled_wait
from matching.models import Resemblance
from matching.selectors import visible_match
from moderation.models import Flag
from moderation.services import image_flag


@require_POST
def report_photo(request, token: str, image_id: int):
    """A visitor says a reference photo shown on their result is not of that actor."""
    match = visible_match(request, token)
    shown = (
        Resemblance.objects.filter(face__match=match, reference_image_id=image_id)
        .select_related("reference_image")
        .first()
    )
    if shown is None:  # only photos this result showed can be reported from it
        raise Http404("No such photo on this result.")
    wait = throttled_wait(request, [FlagThrottle])
    if wait:
        return too_many_requests(request, wait)
    image_flag(
        shown.reference_image,
        source=Flag.Source.VISITOR,
        note=(request.POST.get("note") or "").strip()[:500],
        user=request.user if request.user.is_authenticated else None,
    )
    messages.success(request, "Thank you: a curator will look at this photo.")
    return redirect(f"{match.get_absolute_url()}?face={request.POST.get('face', 0)}")
