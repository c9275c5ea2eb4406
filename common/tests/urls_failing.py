"""The site's addresses plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from lookalike_site import urls as site_urls


def failing_view(request):
    raise RuntimeError("something broke")


urlpatterns = [*site_urls.urlpatterns, path("failing/", failing_view)]
handler400 = site_urls.handler400
handler404 = site_urls.handler404
handler500 = site_urls.handler500
