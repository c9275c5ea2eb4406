"""Sending a stored file to a request that a view has already allowed to have it."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseRedirect
from django.utils.cache import patch_cache_control, patch_vary_headers
from django_sendfile import sendfile


def stored_file_response(
    request, name: str, *, for_anyone: bool, max_age: int = 0, download_as: str = ""
):
    """The file `name` of the default storage, checked permission first, sent by whoever
    settings say: the app, the web server in front of it, or the object store.

    `for_anyone`: anyone with the address may have it, so a shared cache may keep a copy;
    otherwise only this visitor may, and no shared cache keeps it. Every use is revalidated here
    (a switch to private or a deletion takes effect at once), except that a file for anyone with
    a `max_age` may be reused that many seconds without asking, and is revalidated after.

    `download_as`: a file name (ASCII) to save it under, rather than show it in the browser.
    """
    if not name:
        raise Http404("No such file.")
    path = _local_path(name)
    if path is None:
        # Object storage: the bytes come from there, at an address that soon stops working.
        parameters = (
            {"ResponseContentDisposition": _attachment(download_as)} if download_as else None
        )
        response = HttpResponseRedirect(
            default_storage.url(
                name, parameters=parameters, expire=settings.LOOKALIKE_MEDIA_SIGNED_URL_SECONDS
            )
        )
    else:
        # Streamed (with ETag and Last-Modified, so revalidation costs a 304), or handed to
        # nginx or an X-Sendfile server; sendfile answers 404 for a file that is not there.
        response = sendfile(
            request, path, attachment=bool(download_as), attachment_filename=download_as or False
        )
        if response.has_header("X-Accel-Redirect") or response.has_header("X-Sendfile"):
            del response["Content-Length"]  # the web server sends the body and its length
    if for_anyone and max_age > 0:
        patch_cache_control(response, public=True, max_age=max_age, must_revalidate=True)
    else:
        patch_cache_control(
            response, no_cache=True, **{"public" if for_anyone else "private": True}
        )
    patch_vary_headers(response, ["Cookie"])
    response["X-Robots-Tag"] = "noindex"
    return response


def _local_path(name: str) -> str | None:
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return None


def _attachment(file_name: str) -> str:
    return f'attachment; filename="{file_name}"'
