"""The shop's URLs plus its media files, for `make lighthouse` only: production settings serve
no media (a proxy or object storage does), but the audited pages show the demo pictures."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve


def media(request, path):
    """A media file with the long cache lifetime the proxy or object storage gives it (their
    names never change: a new upload gets a new name)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), path("", include("config.urls"))]
