from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.http import too_many_requests
from common.session_uploads import remember_upload
from common.throttles import AccountUploadThrottle, UploadThrottle, throttled_wait
from matching.examples import BY_SLUG, EXAMPLES
from matching.forms import UploadForm
from matching.selectors import match_page_context, share_links, viewer_owns, visible_match
from matching.services import UploadRejected, match_create
from matching.services.upload import upload_too_large_message


@require_http_methods(["GET", "POST"])
def home(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        wait = throttled_wait(request, [UploadThrottle, AccountUploadThrottle])
        if wait:
            return too_many_requests(request, wait)
        status = 400
        if form.is_valid():
            owner = request.user if request.user.is_authenticated else None
            try:
                match = match_create(
                    data=_photo_bytes(form.cleaned_data),
                    share_face=form.cleaned_data["share_face"],
                    owner=owner,
                )
            except UploadRejected as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                if owner is None:
                    remember_upload(request, match.token)
                return redirect(match)
    context = {
        "form": form,
        "examples": EXAMPLES,
        "max_megabytes": settings.LOOKALIKE_UPLOAD_MAX_BYTES // 1_000_000,
        "retention_days": settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS,
    }
    return render(request, "matching/home.html", context, status=status)


def _photo_bytes(cleaned: dict) -> bytes:
    photo = cleaned.get("photo")
    if photo is None:
        return BY_SLUG[cleaned["example"]].read_bytes()
    if photo.size > settings.LOOKALIKE_UPLOAD_MAX_BYTES:
        raise UploadRejected("too_large", upload_too_large_message(), 413)
    return photo.read()


def match_page(request, token: str):
    match = visible_match(request, token)
    context = match_page_context(match, request.GET.get("face"), request.GET.get("who"))
    context["page_url"] = request.build_absolute_uri(match.get_absolute_url())
    context["is_owner"] = viewer_owns(request, match)
    # Others see the visitor's face only when the visitor allowed it.
    context["show_faces"] = context["is_owner"] or match.share_face
    context["weak_below"] = settings.LOOKALIKE_WEAK_SIMILARITY
    if match.share_image:
        share = reverse("match-share", args=[match.token])
        context["share_image_url"] = request.build_absolute_uri(share)
    for key, value in share_links(request, match, context["face"]).items():
        context.setdefault(key, value)
    response = render(request, "matching/match.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
