"""The shop's URLs plus its media files, for `make lighthouse` only: production settings serve
no media (a proxy or object storage does), but the audited pages show the demo pictures."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("config.urls")),
]
