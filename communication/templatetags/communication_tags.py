"""``{% mail_preferences %}``: the email choices on "My details" (accounts/profile.html), a
form of its own posting to communication's preferences view, so accounts/ imports nothing.
``{% documentation_url meeting %}``: the address of a meeting's published documentation, for
the meeting page (events/ imports nothing from communication)."""
from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ..forms import PreferencesForm
from ..models import FollowUp
from ..services import preferences_of

register = template.Library()


@register.inclusion_tag("communication/_preferences_profile.html", takes_context=True)
def mail_preferences(context: template.Context) -> dict[str, Any]:
    """The logged-in person's choices per kind of mail. One query."""
    user = context["request"].user
    form = PreferencesForm(initial_choices=preferences_of(user.email))
    return {"form": form, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def documentation_url(meeting: Any) -> str:
    """The public page of ``meeting``'s documentation once it has been sent, else "". One query."""
    if FollowUp.objects.filter(meeting=meeting, published_at__isnull=False).exists():
        return reverse("communication:follow_up_public", args=[meeting.pk])
    return ""
