"""The person's own pages: profile, organisations, language switch."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from forum import selectors as forum_selectors
from forum.models import Affiliation
from forum.services import affiliation_delete

from . import permissions, services
from .forms import AffiliationForm, ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(actor=request.user, user=request.user, **form.cleaned_data)
        messages.success(request, _("Your details were saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    """The organisations the person represents, and a form to add one."""
    form = AffiliationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        affiliation = services.representation_add(
            actor=request.user,
            organisationsnummer=data["organisationsnummer"],
            title=data["title"],
            existing=form.existing,
            new_company={
                "name": data["name"],
                "sni_section": data["sni_section"],
                "size_class": data["size_class"],
                "postcode": data["postcode"],
                "district": data["district"],
            },
        )
        if affiliation.is_confirmed:
            messages.success(request, _("You now represent %(name)s.") % {"name": affiliation.organisation.name})
        else:
            messages.info(
                request,
                _("%(name)s is already registered. The forum's staff will check that you represent it and then "
                  "confirm it. Until then it says “Waiting for confirmation” here.")
                % {"name": affiliation.organisation.name},
            )
        return redirect("accounts:organisations")
    return render(
        request,
        "accounts/organisations.html",
        {"affiliations": forum_selectors.user_affiliations(request.user), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def affiliation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = get_object_or_404(Affiliation.objects.select_related("organisation"), pk=pk)
    if not permissions.can_edit_affiliation(request.user, affiliation):
        raise PermissionDenied
    affiliation_delete(actor=request.user, affiliation=affiliation)
    messages.success(request, _("You no longer represent %(name)s.") % {"name": affiliation.organisation.name})
    return redirect("accounts:organisations")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a logged-in person's choice is also kept for their mail."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in {"sv", "en"}:
        services.language_set(user=request.user, language=language)
    return response
