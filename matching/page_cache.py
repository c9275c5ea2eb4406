"""A finished result's page as a stranger sees it, kept rendered in the cache.

A shared link that goes viral is opened by strangers: no account, not the browser that uploaded
it, no rating or report given yet, no message waiting. They all see the same page (for a given
face, filter and host), so it is rendered once and kept for LOOKALIKE_RESULT_PAGE_CACHE_SECONDS.

- The match row is still read on every request (visible_match): a switch to private, a deletion
  or an expiry takes effect at once, whatever the cache holds. The key holds the row's fields the
  page shows, so a change to any of them (status, visibility, expiry, faces, pictures) renders
  anew; and the release, so a deploy never serves pages of the previous templates.
- What the page shows from the catalogue (credits, films, a reference photo since removed) may
  lag by up to the cache's lifetime (1.1 times it, with the copy each process keeps). Names and
  percentages are the result's own and never change.
- The forms' CSRF token is this visitor's own: the page is kept with a placeholder, replaced with
  a fresh masked token on every answer, so forms work with and without JavaScript.
- Answers carry a strong ETag (the key, the kept page and this browser's CSRF secret): a
  repeated visit with If-None-Match gets a 304 without rendering. `Cache-Control: private,
  no-cache`: only this browser keeps it (the page holds its CSRF token), and it asks again every
  time.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from common.visitor import SESSION_KEY as VISITOR_SESSION_KEY
from matching.models import Match

log = logging.getLogger(__name__)

# Stands for the visitor's CSRF token in a kept page; never a valid token itself.
CSRF_PLACEHOLDER = "csrf-token-of-this-visitor"
_FACE = re.compile(r"\d{1,2}")
_WHO = ("", "actor", "actress")


@lru_cache(maxsize=1)
def release() -> str:
    """LOOKALIKE_RELEASE, or a digest of the templates this process renders with."""
    if settings.LOOKALIKE_RELEASE:
        return settings.LOOKALIKE_RELEASE
    digest = hashlib.sha256()
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def page_fingerprint(match: Match) -> str:
    """The match row's fields the stranger's page shows, as one value."""
    fields = (
        match.status,
        match.visibility,
        match.share_face,
        match.expired_at,
        match.finished_at,
        match.faces_found,
        match.photo.name,
        match.share_image.name,
        match.error_code,
        match.error_message,
        match.example_name,
    )
    return hashlib.sha256(repr(fields).encode()).hexdigest()[:24]


def stranger_page_key(request, match: Match, face: str, who: str) -> str:
    where = f"{request.scheme}://{request.get_host()}"
    shown = f"{settings.LOOKALIKE_WEAK_SIMILARITY}|{settings.STATIC_URL}|{settings.MEDIA_URL}"
    parts = f"{release()}|{shown}|{where}|{match.token}|{page_fingerprint(match)}|{face}|{who}"
    return "result-page:" + hashlib.sha256(parts.encode()).hexdigest()


def is_stranger(request, match: Match, is_owner: bool) -> bool:
    """Whether this request sees the page every stranger sees: a finished result, no account
    (an account's name and menu are on the page), not the owner, no feedback given from this
    browser yet, no message waiting. Reads the session only when the browser sends one."""
    if is_owner or not match.is_final or request.user.is_authenticated:
        return False
    if VISITOR_SESSION_KEY in request.session:
        return False
    return len(get_messages(request)) == 0


def cacheable_query(face: str | None, who: str | None) -> bool:
    """Only the page's own addresses are kept, not every variant a query string can make up."""
    return (face in (None, "") or bool(_FACE.fullmatch(face))) and (who or "") in _WHO


# The pages this process served last, beside the shared cache: a hit costs no round trip to it.
# At most LOCAL_PAGES of them (about 12 kB each); one rendered here is kept for the cache's
# lifetime, one copied from the shared cache for a tenth of it (so what the page shows from the
# catalogue lags by 1.1 lifetimes at most). The match row is read on every request all the same.
LOCAL_PAGES = 256
_local: OrderedDict[str, tuple[float, str, str]] = OrderedDict()


def _local_get(key: str) -> tuple[str, str] | None:
    kept = _local.get(key)
    if kept is None:
        return None
    if kept[0] < time.monotonic():
        _local.pop(key, None)
        return None
    _local.move_to_end(key)
    return kept[1], kept[2]


def _local_set(key: str, kept: tuple[str, str], seconds: float) -> None:
    _local[key] = (time.monotonic() + seconds, *kept)
    _local.move_to_end(key)
    while len(_local) > LOCAL_PAGES:
        _local.popitem(last=False)


def stranger_page(request, match: Match, face: str | None, who: str | None, render_page):
    """The stranger's page, from the cache when kept; `render_page(extra)` renders it."""
    key = stranger_page_key(request, match, face or "", who or "")
    keep_for = settings.LOOKALIKE_RESULT_PAGE_CACHE_SECONDS
    kept = _local_get(key) if keep_for > 0 else None
    if kept is None and keep_for > 0:
        try:
            kept = cache.get(key)
        except Exception:  # noqa: BLE001 - the cache being down must not take the page with it
            log.warning("result page cache unavailable", exc_info=True)
        if kept is not None:
            _local_set(key, kept, keep_for / 10)
    if kept is None:
        html = render_page({"csrf_token": CSRF_PLACEHOLDER})
        kept = (hashlib.sha256(html.encode()).hexdigest()[:32], html)
        if keep_for > 0:
            try:
                cache.set(key, kept, keep_for)
            except Exception:  # noqa: BLE001
                log.warning("result page cache unavailable", exc_info=True)
            _local_set(key, kept, keep_for)
    digest, html = kept
    token = get_token(request)  # sets the CSRF cookie when the browser has none yet
    secret = request.META.get("CSRF_COOKIE", "")
    etag = '"' + hashlib.sha256(f"{key}|{digest}|{secret}".encode()).hexdigest()[:32] + '"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(html.replace(CSRF_PLACEHOLDER, token))
    response["ETag"] = etag
    return private_page_headers(response)


def private_page_headers(response: HttpResponse) -> HttpResponse:
    """Every results page: kept by this browser only, asked for again on every use."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def render_match_page(request, context: dict) -> str:
    return render_to_string("matching/match.html", context, request)
