"""What the network views share."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def refused(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Re-render a refused form with what the user typed (status 400)."""
    return render(request, template, context, status=400)
