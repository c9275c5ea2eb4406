from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from matching import views
from moderation import views as moderation_views

urlpatterns = [
    path("", views.home, name="home"),
    path("r/<str:token>/", views.match_page, name="match-page"),
    path(
        "r/<str:token>/report/<int:image_id>/",
        moderation_views.report_photo,
        name="report-photo",
    ),
    path(
        "privacy/",
        TemplateView.as_view(
            template_name="privacy.html",
            extra_context={"retention_days": settings.LOOKALIKE_ANONYMOUS_RETENTION_DAYS},
        ),
        name="privacy",
    ),
    path("accounts/", include("accounts.urls")),
    path("api/", include("matching.api_urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
