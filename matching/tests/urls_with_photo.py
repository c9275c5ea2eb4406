"""The site's addresses, plus a stand-in `match-photo` where the site does not serve one yet:
enough for the results page to show the photo with its face boxes."""

from django.http import HttpResponse
from django.urls import path

from lookalike_site.urls import urlpatterns as site_urlpatterns

urlpatterns = list(site_urlpatterns)
if not any(getattr(pattern, "name", None) == "match-photo" for pattern in urlpatterns):
    urlpatterns.append(
        path("r/<str:token>/photo.jpg", lambda request, token: HttpResponse(), name="match-photo")
    )
