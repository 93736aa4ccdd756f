"""The portal's URLs plus one baseline view for the benchmark.

``bench/insert/`` is the bare minimum a write request costs on this stack (gunicorn, the
portal's full middleware, PostgreSQL): one INSERT into an indexed table. The registration
burst is reported as a ratio of it. ``bench/get/`` is the bare minimum a read costs: a GET
through the same middleware answering a few bytes without touching the database (the
pages bench reports every page as a ratio of it). Mounted only by ``bench.bench_settings``.
"""
from __future__ import annotations

import itertools

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from forum.models import AuditEvent
from forum.urls import urlpatterns as portal_urlpatterns

_counter = itertools.count()


@csrf_exempt  # the load generator posts without a form; this view is never in the portal
def insert_view(request: HttpRequest) -> HttpResponse:
    """Insert one AuditEvent row (indexed on target_type, target_id) and answer 201."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    AuditEvent.objects.create(action="bench.insert", target_type="bench.insert", target_id=str(next(_counter)))
    return HttpResponse("ok", status=201, content_type="text/plain")


def get_view(request: HttpRequest) -> HttpResponse:
    """Answer a few bytes: the floor under every page of the portal on this stack."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/insert/", insert_view, name="bench_insert"),
    path("bench/get/", get_view, name="bench_get"),
    *portal_urlpatterns,
]
