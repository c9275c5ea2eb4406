from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from matching.examples import BY_SLUG, EXAMPLES
from matching.forms import UploadForm
from matching.models import Match
from matching.selectors import match_page_context
from matching.services import UploadRejected, match_create
from matching.services.matches import upload_too_large_message
from matching.throttles import AccountUploadThrottle, UploadThrottle, throttled_wait

SESSION_UPLOADS = "upload_tokens"


def too_many_requests(request, wait_seconds: int):
    response = render(request, "429.html", {"minutes": -(-wait_seconds // 60)}, status=429)
    response["Retry-After"] = str(wait_seconds)
    return response


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
                    # Remembered so that signing up in this browser keeps these uploads.
                    tokens = request.session.get(SESSION_UPLOADS, [])
                    request.session[SESSION_UPLOADS] = (tokens + [match.token])[-50:]
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


def visible_match(request, token: str) -> Match:
    """The match, or 404 for anyone who may not see it (never 403: that would confirm it)."""
    match = get_object_or_404(Match, token=token)
    if not match.visible_to(request.user):
        raise Http404("No such result.")
    return match


def match_page(request, token: str):
    match = visible_match(request, token)
    context = match_page_context(match, request.GET.get("face"))
    context["page_url"] = request.build_absolute_uri(match.get_absolute_url())
    context["is_owner"] = request.user.is_authenticated and match.owner_id == request.user.pk
    if match.share_image:
        context["share_image_url"] = request.build_absolute_uri(match.share_image.url)
    response = render(request, "matching/match.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
