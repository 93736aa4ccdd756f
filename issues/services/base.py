"""What the issue services share: the errors they raise and the side a participant speaks for."""
from __future__ import annotations

from events.models import Registration, SeatPool

from ..models import Side


class IssueError(ValueError):
    """A change that breaks a rule; the message is for the user (translated). So that the
    page shows it where it belongs, ``field`` may name the form field the rule is about, and
    ``field_errors`` ({field: message}) may give a message of its own to each of several
    fields (``forum.forms.add_service_error`` shows them)."""

    def __init__(self, message: str, *, field: str | None = None,
                 field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.field_errors = dict(field_errors or {})


class BallotMarksError(IssueError):
    """A ranked ballot refused for its places, saying which marks are wrong so the ballot can
    show it at each field (WCAG 3.3.1): ``clashes`` maps a place given to more than one issue
    to those issues' ids; ``gaps`` lists the places left out below a place that is used, and
    ``after_gap`` the ids of the issues placed after the first of them."""

    def __init__(self, message: str, *, clashes: dict[int, list[str]] | None = None,
                 gaps: list[int] | None = None, after_gap: list[str] | None = None) -> None:
        super().__init__(message)
        self.clashes = clashes or {}
        self.gaps = gaps or []
        self.after_gap = after_gap or []


def side_of(registration: Registration) -> str:
    """Municipal participants speak for the city, everyone else for business."""
    return Side.CITY if registration.pool.kind == SeatPool.Kind.MUNICIPAL else Side.BUSINESS
