"""The shop's URLs plus the benchmark's floor view (see tests/perf/wsgi.py)."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor", floor), path("", include("config.urls"))]
