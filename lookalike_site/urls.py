import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from actors.views import CATALOGUE_FOLDER, catalogue_file
from matching import views, views_results, visitor_files
from moderation import views as moderation_views

urlpatterns = [
    path("", views.home, name="home"),
    path("r/<str:token>/", views.match_page, name="match-page"),
    path(
        "r/<str:token>/faces/<int:position>.jpg",
        visitor_files.match_face_file,
        name="match-face",
    ),
    path(
        "r/<str:token>/faces/<int:position>/share.jpg",
        visitor_files.match_face_share_file,
        name="match-face-share",
    ),
    path(
        "r/<str:token>/faces/<int:position>/story.jpg",
        visitor_files.match_face_story_file,
        name="match-face-story",
    ),
    path("r/<str:token>/share.jpg", visitor_files.match_share_file, name="match-share"),
    path("r/<str:token>/photo.jpg", visitor_files.match_photo_file, name="match-photo"),
    path("r/<str:token>/retry/", views.match_retry_view, name="match-retry"),
    path(
        "r/<str:token>/report/<int:image_id>/",
        moderation_views.report_photo,
        name="report-photo",
    ),
    path("r/<str:token>/rate/", moderation_views.rate_match, name="rate-match"),
    path(
        "r/<str:token>/delete/",
        views_results.match_delete_anonymous,
        name="match-delete-anonymous",
    ),
    path("privacy/", views.privacy, name="privacy"),
    path("accounts/", include("accounts.urls")),
    path("api/", include("matching.api_urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # The public catalogue only: never visitors/, indexes/ or anything else in MEDIA_ROOT.
    media_prefix = re.escape(f"{settings.MEDIA_URL.lstrip('/')}{CATALOGUE_FOLDER}/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", catalogue_file)]

# The site's own error pages (common/error_views.py); 403 is Django's view with 403.html.
handler400 = "common.error_views.bad_request"
handler404 = "common.error_views.page_not_found"
handler500 = "common.error_views.server_error"
