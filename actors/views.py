"""The catalogue's photos: public, served by the app when no web server or object store does."""

import posixpath
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

# Only this folder of MEDIA_ROOT is public. Visitors' files have views that check who asks
# (matching.visitor_files); index files and anything else have no address at all.
CATALOGUE_FOLDER = "actors"


@require_safe
def catalogue_file(request, path: str):
    # Refused before the file system is asked: a path that climbs out (actors/../visitors/…)
    # would otherwise reach the rest of MEDIA_ROOT.
    path = posixpath.normpath(path).lstrip("/")
    if path == "." or path.startswith(".."):
        raise Http404("No such file.")
    # Read per request, not captured when the URLs load: tests move MEDIA_ROOT.
    return serve(request, path, document_root=Path(settings.MEDIA_ROOT) / CATALOGUE_FOLDER)
