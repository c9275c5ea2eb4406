"""The site's URLs plus a bare Django page, for bench/results_page_load.py only.

Served with DJANGO_ROOT_URLCONF=bench.bare_page_urls; production never loads this module. The
bare page is one template (no base layout, no static files) and two queries: the match row and
the count of actors, through the same middleware as every page.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from actors.models import Actor
from lookalike_site.urls import (  # noqa: F401 - the error views go with the URLs
    handler400,
    handler404,
    handler500,
)
from lookalike_site.urls import urlpatterns as site_urlpatterns
from matching.models import Match

TEMPLATE = engines["django"].from_string(
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>{{ match.token }}</title>"
    "</head><body><h1>Result {{ match.token }}</h1><p>Status: {{ match.status }}; "
    "{{ actors }} actor{{ actors|pluralize }} in the catalogue.</p></body></html>"
)


def bare_page(request, token: str):
    match = Match.objects.get(token=token)
    actors = Actor.objects.count()
    return HttpResponse(TEMPLATE.render({"match": match, "actors": actors}, request))


urlpatterns = [path("bench/bare/<str:token>/", bare_page), *site_urlpatterns]
