from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.http import too_many_requests
from common.session_uploads import remember_upload
from common.throttles import AccountUploadThrottle, UploadThrottle, throttled_wait
from matching.examples import BY_SLUG, EXAMPLES
from matching.forms import UploadForm
from matching.selectors import match_page_context, page_pictures, viewer_owns, visible_match
from matching.services import UploadRejected, match_create
from matching.services.upload import upload_too_large_message
from matching.share_card import card_lines


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
    # Face crops and the photo: the owner's, and others' only if the visitor chose to show them.
    context["show_face"] = context["show_faces"] = context["is_owner"] or match.share_face
    context["weak_below"] = settings.LOOKALIKE_WEAK_SIMILARITY
    context.update(_share_context(request, match, context))
    context.update(page_pictures(match, context["face"]))
    response = render(request, "matching/match.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _share_context(request, match, context: dict) -> dict:
    """The selected face's share link and pictures, and what their previews say.

    `share_url`: the page, with `?face=N` for a group photo; `share_image_url`,
    `story_image_url`: the face's 1200x630 and 1080x1920 pictures (absolute); the
    `*_download_url`s: the same pictures sent as files to save; `share_lines`: the card's
    wording (`title`, `alt`), as `matching.share_card.card_lines` gives it.
    """
    face, best = context["face"], context["best"]
    share_url = context["page_url"]
    if len(context["faces"]) > 1 and face is not None:
        share_url += f"?face={face.position}"
    shared = {"share_url": share_url}
    if face is None:
        return shared
    pictures = {
        "share": face.share_image or (match.share_image if face.position == 0 else None),
        "story": face.story_image,
    }
    for kind, picture in pictures.items():
        if picture:
            address = reverse(f"match-face-{kind}", args=[match.token, face.position])
            # Face 0's card keeps the address links already shared carry.
            shown = (
                reverse("match-share", args=[match.token])
                if kind == "share" and face.position == 0
                else address
            )
            shared[f"{kind}_image_url"] = request.build_absolute_uri(shown)
            shared[f"{kind}_download_url"] = f"{address}?download=1"
    if best is not None:
        shared["share_lines"] = card_lines(
            actor_name=best.actor_name,
            similarity=best.similarity,
            weak=context["weak"],
            with_face=match.share_face,
        )
    return shared


def privacy(request):
    return render(
        request,
        "privacy.html",
        {
            "retention_days": settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS,
            "photo_size": settings.LOOKALIKE_STORED_PHOTO_SIZE,
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
        },
    )
