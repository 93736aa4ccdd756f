"""The person's own pages: profile, organisations, their data and its erasure, language switch."""
from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from forum import selectors as forum_selectors
from forum.models import Affiliation
from forum.services import affiliation_delete

from . import permissions, services
from .forms import AccountEraseForm, AffiliationForm, ProfileForm


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


def _has_password(request: HttpRequest) -> bool:
    # allauth re-authenticates with the password; someone who logs in only by an emailed code
    # has none to give, and is let through on their session (as for their other pages).
    return request.user.is_authenticated and request.user.has_usable_password()


@login_required
@reauthentication_required(enabled=_has_password)
def personal_data(request: HttpRequest) -> HttpResponse:
    """What the portal keeps about the person, the download of it, and the way to erase the
    account (with what must happen first, if anything). The person themself only. The password
    is asked again before the page, so its download link then gives the file at once (asked
    only behind the link, a browser would save the password page as the file)."""
    return render(request, "accounts/personal_data.html",
                  {"refusals": services.account_erase_refusals(request.user)})


@login_required
@reauthentication_required(enabled=_has_password)
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """The person's data as a JSON file (machine-readable, GDPR art. 20), never cached. Asks
    for the password again first (allauth), as everything the portal knows about them is in it."""
    data = services.personal_data_export(user=request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
                            content_type="application/json; charset=utf-8")
    # Translators: the downloaded file's name, before its date; letters a-z and hyphens only.
    stem = _("my-data")
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required(enabled=_has_password, allow_get=True)
def account_erase(request: HttpRequest) -> HttpResponse:
    """Erase the person's own account after they confirm (and give their password again):
    :func:`accounts.services.account_erase`, then log out. While something must happen first
    (a role, a network to hand over) the page says what, and offers no form."""
    refusals = services.account_erase_refusals(request.user)
    form = AccountEraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            services.account_erase(user=request.user)
        except services.AccountEraseRefused as refused:
            refusals = refused.reasons
        else:
            logout(request)
            messages.success(request, _("Your account has been erased."))
            return redirect("forum:home")
    return render(request, "accounts/erase.html", {"form": form, "refusals": refusals},
                  status=400 if request.method == "POST" else 200)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a logged-in person's choice is also kept for their mail."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in {"sv", "en"}:
        services.language_set(user=request.user, language=language)
    return response
