"""Template tags of the priority vote for pages of other apps (the public meeting page)."""
from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def open_votes_for(meeting: Any, registration: Any) -> list:
    """The meeting's votes open right now in which ``registration`` (the visitor's confirmed
    one, :func:`issues.permissions.participant_registration`, which the page has read already)
    may vote; empty without one."""
    return selectors.open_votes_for_participant(meeting, registration)


@register.simple_tag
def vote_results_for(meeting: Any) -> list:
    """The meeting's votes whose result is public (closed or confirmed): the page of a
    meeting that is over links them."""
    return selectors.counted_votes(meeting)
