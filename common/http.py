"""Answers the web views share."""

from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme


def too_many_requests(request, wait_seconds: int):
    response = render(request, "429.html", {"minutes": -(-wait_seconds // 60)}, status=429)
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
