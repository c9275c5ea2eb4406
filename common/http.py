"""Answers the web views share."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext


def too_many_requests(request, wait_seconds: int, *, as_json: bool = False):
    """429 with Retry-After: the page, or JSON for the upload page's script."""
    minutes = -(-wait_seconds // 60)
    if as_json:
        message = ngettext(
            "Too many uploads from here for now. Please try again in %(n)d minute.",
            "Too many uploads from here for now. Please try again in %(n)d minutes.",
            minutes,
        ) % {"n": minutes}
        body = {"error": message, "field": "photo", "retry_after": wait_seconds}
        response = JsonResponse(body, status=429)
    else:
        response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait_seconds)
    return response


def redirect_back(request, fallback: str):
    """To the `next` address the form carried if it stays on this site, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)
