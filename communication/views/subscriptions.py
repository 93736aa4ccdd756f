"""Following by email (double opt-in), mail choices and one-click unsubscribe."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from forum import antispam
from forum import permissions as forum_permissions
from forum.notifications import Kind

from .. import delivery, hooks, services
from ..forms import (
    FollowForm,
    PreferencesForm,
)
from ..models import Follower
from .common import UNDO_SALT, _by_token, _status


# --- Followers --------------------------------------------------------------------------------------
def follow(request: HttpRequest, slug: str, network_id: int | None = None) -> HttpResponse:
    """Follow the forum, or one of its public networks, with an email address (double opt-in)."""
    forum = forum_permissions.forum_for(request.user, slug, forum_permissions.can_view_forum)
    network = None
    if network_id is not None:
        network = hooks.public_network(forum, network_id)
        if network is None:
            raise Http404
    form = FollowForm(request.POST or None)
    if request.method == "POST" and antispam.form_accepted(request, form):
        services.follow_request(actor=request.user, forum=forum, email=form.cleaned_data["email"],
                                language=get_language() or "sv", network_id=network_id,
                                network_title=network[0] if network else "")
        return render(request, "communication/follow_sent.html", {"forum": forum, "network": network})
    return render(request, "communication/follow.html", {"forum": forum, "form": form, "network": network},
                  status=form.status_code)


def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation mail: a button confirms (a link checker opening the page
    confirms nothing)."""
    follower = _by_token(Follower.objects.select_related("forum"), token)
    # Read before an end deletes the row: the pages speak of the network that was followed.
    network = hooks.public_network(follower.forum, follower.network_id) if follower.network_id else None
    if request.method == "POST":
        if request.POST.get("action") == "end":
            network_id = follower.network_id
            services.follow_end(follower=follower)
            return render(request, "communication/follow_done.html",
                          {"forum": follower.forum, "ended": True, "network": network, "network_id": network_id})
        follower = services.follow_confirm(follower=follower)
    return render(request, "communication/follow_confirm.html",
                  {"forum": follower.forum, "follower": follower, "network": network})


# --- Preferences and unsubscribe ------------------------------------------------------------------
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The person's choices per kind of mail (also shown on "My details")."""
    current = services.preferences_of(request.user.email)
    form = PreferencesForm(request.POST or None, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(actor=request.user, email=request.user.email, choices=form.cleaned_data)
        messages.success(request, _("Your email choices have been saved."))
        return redirect(reverse("accounts:profile") + "#notifications")
    return render(request, "communication/preferences.html", {"form": form}, status=_status(form))


def preferences_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same choices from the personal link in a mail, without logging in (followers have
    no account): the signed token names the address."""
    data = delivery.read_unsubscribe_token(token)
    if data is None:
        return render(request, "communication/unsubscribe_invalid.html", status=400)
    email = data[0]
    form = PreferencesForm(request.POST or None, initial_choices=services.preferences_of(email))
    if request.method == "POST" and form.is_valid():
        services.preferences_set(actor=request.user, email=email, choices=form.cleaned_data)
        messages.success(request, _("Your email choices have been saved."))
        return redirect("communication:preferences_token", token)
    return render(request, "communication/preferences.html", {"form": form, "email": email, "token": token},
                  status=_status(form))


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" without a session
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off at once, without log-in, what the signed link names; say what and offer undo.
    A POST is the one-click unsubscribe of RFC 8058 (answered with the same page)."""
    data = delivery.read_unsubscribe_token(token)
    if data is None:
        return render(request, "communication/unsubscribe_invalid.html", status=400)
    email, kinds = data
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    previous = services.preferences_of(email)
    services.unsubscribe(email=email, kinds=kinds)
    undo = signing.dumps({"e": email, "p": {k: previous[k] for k in kinds if k in previous}}, salt=UNDO_SALT)
    return render(request, "communication/unsubscribed.html", {
        "email": email, "kinds": [Kind(k).label for k in kinds if k in Kind.values], "undo_token": undo,
    })


@require_POST
def unsubscribe_undo(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("token", ""), salt=UNDO_SALT, max_age=30 * 24 * 3600)
        email, previous = data["e"], {k: v for k, v in data["p"].items() if k in Kind.values}
    except (signing.BadSignature, KeyError, TypeError, AttributeError):
        return render(request, "communication/unsubscribe_invalid.html", status=400)
    services.preferences_set(actor=request.user, email=email, choices=previous)
    return render(request, "communication/unsubscribe_undone.html", {"email": email})
