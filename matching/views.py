import hashlib
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from common.http import too_many_requests
from common.session_uploads import remember_upload
from common.throttles import (
    AccountUploadThrottle,
    UploadThrottle,
    throttled_wait,
    throttles_count,
)
from face_engine.errors import NotAnImage
from matching.examples import BY_SLUG, EXAMPLES
from matching.forms import ACCEPTED_TYPES, NOTHING_CHOSEN, UploadForm
from matching.models import Match
from matching.page_cache import (
    cacheable_query,
    is_stranger,
    private_page_headers,
    render_match_page,
    stranger_page,
)
from matching.selectors import match_page_context, page_pictures, viewer_owns, visible_match
from matching.selectors_recent import recent_session_matches
from matching.services import UploadRejected, match_create, match_retry
from matching.services.upload import upload_too_large_message
from matching.share_card import card_lines

UPLOAD_THROTTLES = [UploadThrottle, AccountUploadThrottle]
# A double-posted upload waits this long at most for the first post's match.
SUBMIT_WAIT_SECONDS = 20
SUBMIT_REMEMBERED_SECONDS = 600
PENDING = "pending"


@require_http_methods(["GET", "POST"])
def home(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    wants_json = _wants_json(request)
    if request.method == "POST":
        wait = throttled_wait(request, UPLOAD_THROTTLES)
        if wait:
            return too_many_requests(request, wait, as_json=wants_json)
        status = 400
        if form.is_valid():
            try:
                match = _accept(request, form.cleaned_data)
            except UploadRejected as exc:
                form.add_error("photo", exc.message)
                status = exc.http_status
            else:
                if wants_json:
                    return JsonResponse({"url": match.get_absolute_url()})
                return redirect(match)
        if wants_json:
            field, message = _first_error(form)
            return JsonResponse({"error": message, "field": field}, status=status)
    context = {
        "form": form,
        "examples": EXAMPLES,
        "accept": ACCEPTED_TYPES,
        "max_bytes": settings.LOOKALIKE_UPLOAD_MAX_BYTES,
        "max_megabytes": settings.LOOKALIKE_UPLOAD_MAX_BYTES // 1_000_000,
        "stored_size": settings.LOOKALIKE_STORED_PHOTO_SIZE,
        "too_large_message": upload_too_large_message(),
        "not_an_image_message": NotAnImage.default_message,
        "nothing_chosen_message": NOTHING_CHOSEN,
        "retention_days": settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS,
        "submit_token": secrets.token_urlsafe(16),
        "recent": recent_session_matches(request),
    }
    return render(request, "matching/home.html", context, status=status)


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json") or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _first_error(form) -> tuple[str, str]:
    for field in ("photo", "example", "share_face"):
        if form.errors.get(field):
            return field, form.errors[field][0]
    errors = form.non_field_errors()
    return "photo", errors[0] if errors else NOTHING_CHOSEN


def _accept(request, cleaned: dict) -> Match:
    """Create the match for a valid post, once: a second post of the same photo or example
    with the same submit token (a double click, a double tap) gets the first one's match. Only
    a match created here counts against the upload limits."""
    owner = request.user if request.user.is_authenticated else None
    data = _photo_bytes(cleaned)
    key = _submit_key(request, cleaned, data)
    if key and not _claim_submit(key):
        twin = _twin_match(key)
        if twin is not None:
            if owner is None:
                remember_upload(request, twin.token)
            return twin
    try:
        match = match_create(
            data=data,
            share_face=cleaned["share_face"],
            owner=owner,
            example=cleaned.get("example") if cleaned.get("photo") is None else "",
        )
    except BaseException:
        if key:
            cache.delete(key)  # the same post may be tried again
        raise
    if key:
        cache.set(key, match.token, SUBMIT_REMEMBERED_SECONDS)
    throttles_count(request, UPLOAD_THROTTLES)
    if owner is None:
        remember_upload(request, match.token)
    return match


def _submit_key(request, cleaned: dict, data: bytes) -> str | None:
    token = cleaned.get("submit_token")
    if not token:
        return None
    if request.user.is_authenticated:
        who = f"user {request.user.pk}"
    else:
        who = UploadThrottle().get_ident(request)
    digest = hashlib.sha256()
    for part in (token, who, str(cleaned["share_face"])):
        digest.update(part.encode() + b"\0")
    digest.update(data)
    return f"upload-submit:{digest.hexdigest()}"


def _claim_submit(key: str) -> bool:
    return cache.add(key, PENDING, SUBMIT_REMEMBERED_SECONDS)


def _twin_match(key: str) -> Match | None:
    """The match the first of two identical posts made: waited for while it is being made. None
    when that post failed (the key is gone, and this post has claimed it in its place)."""
    deadline = time.monotonic() + SUBMIT_WAIT_SECONDS
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is None and _claim_submit(key):
            return None
        if value not in (None, PENDING):
            twin = Match.objects.filter(token=value).first()
            if twin is not None:
                return twin
            cache.delete(key)
        time.sleep(0.1)
    return None


def _photo_bytes(cleaned: dict) -> bytes:
    photo = cleaned.get("photo")
    if photo is None:
        return BY_SLUG[cleaned["example"]].read_bytes()
    if photo.size > settings.LOOKALIKE_UPLOAD_MAX_BYTES:
        raise UploadRejected("too_large", upload_too_large_message(), 413)
    return photo.read()


@require_POST
def match_retry_view(request, token: str):
    """Try a failed match again with its kept photo: for its owner only."""
    match = visible_match(request, token)
    if not viewer_owns(request, match):
        raise Http404("No such result.")
    if not match_retry(match):
        match.refresh_from_db()
        if match.status == Match.Status.FAILED:  # not merely retried already by a double click
            messages.info(request, "This result can no longer be tried again.")
    return redirect(match)


def match_page(request, token: str):
    match = visible_match(request, token)
    is_owner = viewer_owns(request, match)
    face, who = request.GET.get("face"), request.GET.get("who")

    def render_page(extra: dict) -> str:
        context = _page_context(request, match, face, who, is_owner)
        context.update(extra)
        return render_match_page(request, context)

    if cacheable_query(face, who) and is_stranger(request, match, is_owner):
        return stranger_page(request, match, face, who, render_page)
    return private_page_headers(HttpResponse(render_page({})))


def _page_context(request, match, face, who, is_owner: bool) -> dict:
    context = match_page_context(match, face, who)
    context["page_url"] = request.build_absolute_uri(match.get_absolute_url())
    context["is_owner"] = is_owner
    # Face crops and the photo: the owner's, and others' only if the visitor chose to show them.
    context["show_face"] = context["show_faces"] = is_owner or match.share_face
    context["weak_below"] = settings.LOOKALIKE_WEAK_SIMILARITY
    context.update(_share_context(request, match, context))
    context.update(page_pictures(match, context["face"]))
    context["slow_after_seconds"] = settings.LOOKALIKE_PROGRESS_SLOW_SECONDS
    return context


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
