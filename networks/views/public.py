"""Views everyone may reach: the forum's networks, a network's page, asking to join, and
answering an invitation. Views stay thin: permissions from networks.permissions, reads from
networks.selectors, writes through networks.services."""
from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forum import permissions as forum_permissions
from forum.pagecache import public_page

from .. import permissions, selectors, services
from ..forms import JoinForm
from ..models import Membership

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@public_page
def network_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The forum's networks the visitor may see (public ones; members-only ones to their
    members and the coordinators). Served from the page cache to anonymous visitors."""
    forum = forum_permissions.forum_for(request.user, slug, forum_permissions.can_view_forum)
    return render(request, "networks/network_list.html", {
        "forum": forum, "networks": list(selectors.visible_networks(request.user, forum)),
        "can_form": permissions.can_form_network(request.user, forum),
    })


def _detail_context(request: HttpRequest, network, join_form=None) -> dict:
    user = request.user
    # The visitor's own open memberships in one query: a pending request or invitation, and
    # the active membership (the page stays within its query budget, tests/test_page_scale.py).
    mine = list(network.memberships.filter(
        person=user, status__in=(Membership.Status.REQUESTED, Membership.Status.INVITED, Membership.Status.ACTIVE)
    ).order_by("pk")) if user.is_authenticated else []
    pending = next((m for m in mine if m.status in (Membership.Status.REQUESTED, Membership.Status.INVITED)), None)
    can_join = permissions.can_ask_to_join(user, network) and pending is None
    return {
        "network": network, "forum": network.forum, "page": selectors.network_page(user, network),
        "members_view": permissions.can_view_members_content(user, network),
        "is_leader": permissions.is_process_leader(user, network),
        "is_coordinator": permissions.is_coordinator(user, network),
        "is_member": permissions.is_member(user, network),
        "pending": pending, "can_join": can_join,
        "join_form": join_form or (JoinForm(user=user) if can_join else None),
        "my_membership": next((m for m in mine if m.status == Membership.Status.ACTIVE), None),
    }


@public_page
def network_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A network's page: goal, issues, progress, actions, the next meeting and how to ask to
    join; members and coordinators also see the members and meetings. Served from the page
    cache to anonymous visitors (a members-only network is not a 200 for them, so never cached)."""
    network = permissions.network_for(request.user, pk, permissions.can_view_network)
    return render(request, "networks/network_detail.html", _detail_context(request, network))


@login_required
@require_POST
def network_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to join; the process leaders decide."""
    network = permissions.network_for(request.user, pk, permissions.can_ask_to_join)
    form = JoinForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.membership_request(actor=request.user, network=network, **form.cleaned_data)
        except services.NetworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your request to join was sent to the network's process leaders."))
            return redirect(network.get_absolute_url())
    return render(request, "networks/network_detail.html", _detail_context(request, network, join_form=form),
                  status=400)


@login_required
@require_POST
def network_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """The member ends their own membership (the history keeps the period)."""
    network = permissions.network_for(request.user, pk, permissions.is_member)
    membership = network.memberships.get(person=request.user, status=Membership.Status.ACTIVE)
    try:
        services.membership_end(actor=request.user, membership=membership)
    except services.NetworkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You have left the network."))
    return redirect(network.get_absolute_url() if network.is_public else network.forum.get_absolute_url())


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link of an invitation: accept (logged in) or decline."""
    # A token as secrets.token_urlsafe makes it, within the column (no NUL or other bytes).
    membership = (Membership.objects.select_related("network__forum").filter(token=token).first()
                  if TOKEN_RE.fullmatch(token or "") else None)
    if membership is None:
        raise Http404
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                if not request.user.is_authenticated:
                    return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
                services.membership_accept(actor=request.user, membership=membership)
                messages.success(request, _("You are now a member of the network."))
                return redirect(membership.network.get_absolute_url())
            if answer == "decline":
                services.membership_decline_invitation(actor=request.user, membership=membership)
                messages.success(request, _("You have declined the invitation."))
                return redirect("networks:invitation", token=token)
        except services.NetworkError as error:
            messages.error(request, str(error))
            return render(request, "networks/invitation.html", {"membership": membership}, status=400)
        return render(request, "networks/invitation.html", {"membership": membership}, status=400)
    return render(request, "networks/invitation.html", {"membership": membership})
