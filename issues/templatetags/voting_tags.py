"""Template tags of the priority vote for pages of other apps (the public meeting page)."""
from __future__ import annotations

from typing import Any

from django import template

from .. import permissions, selectors

register = template.Library()


@register.simple_tag
def open_votes_for(meeting: Any, user: Any) -> list:
    """The meeting's votes open right now in which ``user`` (a confirmed participant) may
    vote; empty for everyone else."""
    return selectors.open_votes_for_participant(meeting, permissions.participant_registration(user, meeting))


@register.simple_tag
def vote_results_for(meeting: Any) -> list:
    """The meeting's votes whose result is public (closed or confirmed): the page of a
    meeting that is over links them."""
    return selectors.counted_votes(meeting)
