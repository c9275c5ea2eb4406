"""The site's own error pages: in its layout, and never revealing more than a plain 404 would.

Wired in lookalike_site/urls.py (handler400/404/500) and settings (CSRF_FAILURE_VIEW); 403 uses
Django's own view with templates/403.html.
"""

import logging

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RESULT_PREFIX = "/r/"

# What is shown when even the 500 template cannot be rendered.
PLAIN_500 = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>Something went wrong · Lookalike</title></head><body><main>"
    "<h1>Something went wrong on our side</h1><p>Please try again in a moment.</p>"
    "<p><a href='/'>Back to the start</a></p></main></body></html>"
)


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@requires_csrf_token
def page_not_found(request, exception=None):
    """404: a result link that leads nowhere gets its own words; the API answers in JSON."""
    path = request.path_info
    if path.startswith(API_PREFIX):
        return _api_error("not_found", "Not found.", 404)
    template = "404_result.html" if path.startswith(RESULT_PREFIX) else "404.html"
    return render(request, template, status=404)


@requires_csrf_token
def bad_request(request, exception=None):
    if request.path_info.startswith(API_PREFIX):
        return _api_error("bad_request", "The request was not understood.", 400)
    try:
        return render(request, "400.html", status=400)
    except Exception:  # a request Django refused (a bad host, say) may not render with context
        return HttpResponse(loader.get_template("400.html").render(), status=400)


def server_error(request):
    """500: rendered without the request's context (whatever failed may fail again)."""
    if request.path_info.startswith(API_PREFIX):
        return _api_error("server_error", "Something went wrong on our side.", 500)
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        log.exception("The 500 page could not be rendered")
        return HttpResponseServerError(PLAIN_500)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: say what to do, never the technical reason."""
    if request.path_info.startswith(API_PREFIX):
        return _api_error("csrf_failed", "The form's security token is missing or expired.", 403)
    return render(request, "403_csrf.html", status=403)
