"""The catalogue's photos: public, served by the app when no web server or object store does."""

import posixpath
import re
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_cache_control
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
    response = serve(request, path, document_root=Path(settings.MEDIA_ROOT) / CATALOGUE_FOLDER)
    patch_cache_control(response, **catalogue_cache_control(path))
    return response


# actors/<2 hex>/<sha256 of the file's bytes>.<ext>: a name that always holds the same bytes.
_CONTENT_NAMED = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.[a-z]+")
CATALOGUE_MAX_AGE = 86_400


def catalogue_cache_control(path: str) -> dict:
    """Cache-Control for a catalogue file (`path` inside actors/): public; for a year and
    immutable when it is named by its own bytes' digest (reference photos as imported), for a day
    otherwise (face thumbnails are named by their source photo's digest, but a later import may
    cut them differently under the same name)."""
    if _CONTENT_NAMED.fullmatch(path):
        return {"public": True, "max_age": 31_536_000, "immutable": True}
    return {"public": True, "max_age": CATALOGUE_MAX_AGE}
