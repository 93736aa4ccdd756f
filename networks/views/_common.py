"""What the network views share."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from forum.forms import add_service_error

from ..services import NetworkError


def refused(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Re-render a refused form with what the user typed (status 400)."""
    return render(request, template, context, status=400)


def submit(request: HttpRequest, form, *, run: Callable[[dict], Any], success: str, to: str, template: str,
           context: dict) -> HttpResponse:
    """The network pages' one form flow: on a valid POST run the service (``run`` gets the
    cleaned data), then say ``success`` and go ``to``; a refusal of the service becomes the
    form's error, and bad input or a refusal re-renders ``template`` with what was typed (400).
    A GET renders the page."""
    if request.method != "POST":
        return render(request, template, context)
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except NetworkError as error:
            add_service_error(form, error)
        else:
            messages.success(request, success)
            return redirect(to)
    return refused(request, template, context)
