"""``{% mail_preferences %}``: the email choices on "My details" (accounts/profile.html), a
form of its own posting to communication's preferences view, so accounts/ imports nothing."""
from __future__ import annotations

from typing import Any

from django import template

from ..forms import PreferencesForm
from ..services import preferences_of

register = template.Library()


@register.inclusion_tag("communication/_preferences_profile.html", takes_context=True)
def mail_preferences(context: template.Context) -> dict[str, Any]:
    """The logged-in person's choices per kind of mail. One query."""
    user = context["request"].user
    form = PreferencesForm(initial_choices=preferences_of(user.email))
    return {"form": form, "csrf_token": context.get("csrf_token")}
